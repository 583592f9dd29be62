// The assignment loader on any bytes: a file either loads or is refused with `file:line:column: what
// is wrong` (ConfigError); nothing else may escape, and nothing may crash.
#include <cstdint>
#include <string>

#include "checks/make_checks.hpp"
#include "grader/config/error.hpp"
#include "tests/fuzz/fuzz_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  try {
    (void)ipcgrade::checks::load_assignment(
        ipcgrade::fuzz::input_file(data, size, "assignment.yaml").parent_path());
  } catch (const ipcgrade::config::ConfigError&) {
  }
  return 0;
}
