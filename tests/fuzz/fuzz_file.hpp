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
    // Not named ipcgrade-*: the suite checks that no folder of that name outlives it, and a fuzz pass may
    // run beside the suite.
    char tmpl[] = "/tmp/fuzz-ipcgrade-XXXXXX";
    if (::mkdtemp(tmpl)) dir = tmpl;
  }
  ~InputFolder() {
    std::error_code ec;
    if (!dir.empty()) std::filesystem::remove_all(dir, ec);
  }
};

// The private folder itself, for targets that build a tree of their own in it.
inline const std::filesystem::path& input_folder() {
  static const InputFolder folder;
  return folder.dir;
}

inline std::filesystem::path input_file(const std::uint8_t* data, size_t size, const std::string& name) {
  const auto file = input_folder() / name;
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return file;
}

}  // namespace ipcgrade::fuzz
