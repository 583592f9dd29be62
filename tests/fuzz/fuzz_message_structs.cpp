// The ELF/DWARF reader on a mutated binary: the submission's debug information is its own text, and the
// grader looks for message structs in every program it judges. Any bytes: a list, never a crash.
#include <cstdint>

#include "grader/tracer/message_structs.hpp"
#include "tests/fuzz/fuzz_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  (void)ipcgrade::tracer::message_structs(ipcgrade::fuzz::input_file(data, size, "program").string());
  return 0;
}
