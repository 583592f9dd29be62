#pragma once
#include <filesystem>
#include <string_view>

namespace ipcgrade::util {

// Writes `content` to `path` through a temporary file in the same folder and a rename, so a reader
// (or a grader killed halfway) never sees a half-written file. Throws std::system_error on failure.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

// Reads a whole file; throws std::system_error when it cannot be read.
std::string read_file(const std::filesystem::path& path);

}  // namespace ipcgrade::util
