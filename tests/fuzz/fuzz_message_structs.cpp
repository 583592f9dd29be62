// The ELF/DWARF reader on a mutated binary: the submission's debug information is its own text, and the
// grader looks for message structs in every program it judges. Any bytes: a list, never a crash.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>

#include "grader/supervise/message_structs.hpp"

namespace fs = std::filesystem;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  static const fs::path file = [] {
    char tmpl[] = "/tmp/ipcgrade-fuzz-XXXXXX";
    return fs::path(::mkdtemp(tmpl)) / "program";
  }();
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  (void)ipcgrade::supervise::message_structs(file.string());
  return 0;
}
