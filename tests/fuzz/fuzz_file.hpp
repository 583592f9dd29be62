#pragma once
// The fuzz targets whose readers take a file: the input written to a file of a private folder, made once
// per fuzzing process and rewritten for every input.
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

namespace ipcgrade::fuzz {

// The private folder, removed when the process ends: the suite leaves the temporary folder as it found it.
struct InputFolder {
  std::filesystem::path dir;
  InputFolder() {
    char tmpl[] = "/tmp/ipcgrade-fuzz-XXXXXX";
    if (::mkdtemp(tmpl)) dir = tmpl;
  }
  ~InputFolder() {
    std::error_code ec;
    if (!dir.empty()) std::filesystem::remove_all(dir, ec);
  }
};

inline std::filesystem::path input_file(const std::uint8_t* data, size_t size, const std::string& name) {
  static const InputFolder folder;
  const auto file = folder.dir / name;
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return file;
}

}  // namespace ipcgrade::fuzz
