// The gradebook's reader of a student's report.yaml (batch --resume reads what a worker wrote, or what
// anyone left in --out): any bytes give a row or none, never a crash.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>

#include "grader/batch/gradebook.hpp"

namespace fs = std::filesystem;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  static const fs::path file = [] {
    char tmpl[] = "/tmp/ipcgrade-fuzz-XXXXXX";
    return fs::path(::mkdtemp(tmpl)) / "report.yaml";
  }();
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  (void)ipcgrade::batch::read_row(file);
  return 0;
}
