// The gradebook's reader of a student's report.yaml (batch --resume reads what a worker wrote, or what
// anyone left in --out): any bytes give a row or none, never a crash.
#include <cstdint>

#include "grader/batch/gradebook.hpp"
#include "tests/fuzz/fuzz_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  (void)ipcgrade::batch::read_row(ipcgrade::fuzz::input_file(data, size, "report.yaml"));
  return 0;
}
