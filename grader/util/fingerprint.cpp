#include "grader/util/fingerprint.hpp"

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

namespace ipcgrade::util {

Fingerprint& Fingerprint::add(std::string_view bytes) {
  for (unsigned char c : bytes) {
    h_ ^= c;
    h_ *= 1099511628211ULL;
  }
  return *this;
}

std::uint64_t fingerprint_files(const std::filesystem::path& folder) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(folder, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec) && !it->is_symlink(ec))
      files.push_back(it->path().lexically_relative(folder));
  }
  std::sort(files.begin(), files.end());
  Fingerprint f;
  for (const auto& rel : files) {
    f.add(rel.generic_string()).add(std::string_view("\0", 1));
    std::ifstream in(folder / rel, std::ios::binary);
    char buffer[1 << 16];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0)
      f.add(std::string_view(buffer, static_cast<size_t>(in.gcount())));
    f.add(std::string_view("\0", 1));
  }
  return f.value();
}

}  // namespace ipcgrade::util
