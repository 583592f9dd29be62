#pragma once
// The fuzz targets whose readers take a file: the input written to a file of a private folder, made once
// per fuzzing process and rewritten for every input.
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

namespace ipcgrade::fuzz {

inline std::filesystem::path input_file(const std::uint8_t* data, size_t size, const std::string& name) {
  static const std::filesystem::path dir = [] {
    char tmpl[] = "/tmp/ipcgrade-fuzz-XXXXXX";
    return std::filesystem::path(::mkdtemp(tmpl));
  }();
  const auto file = dir / name;
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return file;
}

}  // namespace ipcgrade::fuzz
