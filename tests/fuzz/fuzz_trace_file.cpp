// The trace-file reader (`--trace` files read back, the tests' hand-made traces) on any bytes: it reads
// them or throws a std::exception saying why; it never crashes.
#include <cstdint>
#include <exception>
#include <string>

#include "grader/run/trace_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  try {
    (void)ipcgrade::run::read_trace_file(std::string(reinterpret_cast<const char*>(data), size));
  } catch (const std::exception&) {
  }
  return 0;
}
