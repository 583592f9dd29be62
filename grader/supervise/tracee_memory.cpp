#include "grader/supervise/tracee_memory.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <vector>

namespace ipcgrade::supervise {

std::string read_tracee(pid_t pid, std::uint64_t address, size_t length) {
  if (length == 0) return {};
  static const std::uint64_t page = static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
  std::string out(length, '\0');
  std::vector<iovec> remote;
  std::uint64_t at = address;
  size_t left = length;
  while (left > 0) {
    const size_t chunk = std::min<std::uint64_t>(left, page - (at % page));
    remote.push_back({reinterpret_cast<void*>(at), chunk});
    at += chunk;
    left -= chunk;
  }
  iovec local{out.data(), length};
  const ssize_t n = process_vm_readv(pid, &local, 1, remote.data(), remote.size(), 0);
  out.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return out;
}

namespace {

std::optional<FileId> identity(const struct stat& st) {
  return FileId{st.st_dev, st.st_ino, st.st_mode};
}

}  // namespace

std::optional<FileId> ProcessMemory::file_of(int fd) const {
  struct stat st {};
  if (fd < 0 || ::stat(("/proc/" + std::to_string(pid_) + "/fd/" + std::to_string(fd)).c_str(), &st) != 0)
    return std::nullopt;
  return identity(st);
}

std::optional<FileId> ProcessMemory::file_at(int dirfd, const std::string& path) const {
  // Through the tracee's own root, folder or descriptor in /proc, so that a path means what it means
  // to the tracee in its mount namespace. Only the file's type and identity are read: a link in the
  // path that leads elsewhere can mislead the trace, never the grader.
  if (path.empty()) return std::nullopt;
  const std::string proc = "/proc/" + std::to_string(pid_);
  const std::string where = path[0] == '/'      ? proc + "/root" + path
                            : dirfd == AT_FDCWD ? proc + "/cwd/" + path
                                                : proc + "/fd/" + std::to_string(dirfd) + "/" + path;
  struct stat st {};
  if (::lstat(where.c_str(), &st) != 0) return std::nullopt;
  return identity(st);
}

}  // namespace ipcgrade::supervise
