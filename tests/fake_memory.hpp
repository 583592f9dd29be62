#pragma once
// A tracee's memory for the decoders' tests and fuzz target: no process runs.
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "grader/families/tracee_memory.hpp"

namespace ipcgrade::families {

// A tracee's memory: bytes placed at addresses of the test's choosing.
class FakeMemory final : public Memory {
 public:
  template <typename T>
  void put(std::uint64_t address, const T& value) {
    std::string bytes(sizeof(T), '\0');
    std::memcpy(bytes.data(), &value, sizeof(T));
    regions_[address] = bytes;
  }
  void put_bytes(std::uint64_t address, std::string bytes) { regions_[address] = std::move(bytes); }
  std::string read(std::uint64_t address, size_t length) const override {
    for (const auto& [start, bytes] : regions_) {
      if (address >= start && address < start + bytes.size()) return bytes.substr(address - start, length);
    }
    return {};
  }
  // Files: by descriptor, and by path (whatever the folder).
  std::map<int, FileId> fd_files;
  std::map<std::string, FileId> path_files;
  std::optional<FileId> file_of(int fd) const override {
    const auto it = fd_files.find(fd);
    return it == fd_files.end() ? std::nullopt : std::optional<FileId>(it->second);
  }
  std::optional<FileId> file_at(int, const std::string& path) const override {
    const auto it = path_files.find(path);
    return it == path_files.end() ? std::nullopt : std::optional<FileId>(it->second);
  }
  std::string real_path(int, const std::string& path) const override { return "/work/" + path; }
  std::map<int, std::string> fd_paths;
  std::string fd_path(int fd) const override {
    const auto it = fd_paths.find(fd);
    return it == fd_paths.end() ? std::string() : it->second;
  }
  std::set<std::string> queues;
  bool queue_exists(const std::string& name) const override { return queues.count(name) > 0; }

 private:
  std::map<std::uint64_t, std::string> regions_;
};

}  // namespace ipcgrade::families
