// The assignment loader on any bytes: a file either loads or is refused with `file:line:column: what
// is wrong` (ConfigError); nothing else may escape, and nothing may crash.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "checks/make_checks.hpp"
#include "grader/config/error.hpp"

namespace fs = std::filesystem;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  static const fs::path dir = [] {
    char tmpl[] = "/tmp/ipcgrade-fuzz-XXXXXX";
    return fs::path(::mkdtemp(tmpl));
  }();
  {
    std::ofstream out(dir / "assignment.yaml", std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    (void)ipcgrade::checks::load_assignment(dir);
  } catch (const ipcgrade::config::ConfigError&) {
  }
  return 0;
}
