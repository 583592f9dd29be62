#pragma once
// Stable fingerprints (FNV-1a, 64 bits): the same bytes give the same number on every machine and in
// every run, which std::hash does not promise. Not for secrets: anyone can compute one.
#include <cstdint>
#include <filesystem>
#include <string_view>

namespace ipcgrade::util {

class Fingerprint {
 public:
  Fingerprint& add(std::string_view bytes);
  std::uint64_t value() const { return h_; }

 private:
  std::uint64_t h_ = 1469598103934665603ULL;
};

// The fingerprint of a folder's regular files: their paths relative to it (in order) and their bytes.
// Links, FIFOs and the like are left out, as the submission's copy leaves them.
std::uint64_t fingerprint_files(const std::filesystem::path& folder);

}  // namespace ipcgrade::util
