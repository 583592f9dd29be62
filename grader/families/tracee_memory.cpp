#include "grader/families/tracee_memory.hpp"

#include <cstdlib>

#include "grader/util/procfs.hpp"

#include <fcntl.h>
#include <limits.h>
#include <mqueue.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <vector>

namespace ipcgrade::families {

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

namespace {
// The tracee's view of `path`'s starting point in /proc: its root, its folder or a descriptor.
std::string proc_base(pid_t pid, int dirfd, std::string& path) {
  const std::string proc = "/proc/" + std::to_string(pid);
  // /proc/self is the tracee's own entry, not the grader's.
  for (const std::string self : {"/proc/self", "/proc/thread-self"}) {
    if (path.rfind(self, 0) == 0 && (path.size() == self.size() || path[self.size()] == '/')) {
      path = path.substr(self.size());
      return proc;
    }
  }
  return path[0] == '/'      ? proc + "/root"
         : dirfd == AT_FDCWD ? proc + "/cwd"
                             : proc + "/fd/" + std::to_string(dirfd);
}
}  // namespace

std::string ProcessMemory::real_path(int dirfd, const std::string& path) const {
  if (path.empty()) return {};
  std::string rest = path;
  const std::string base = proc_base(pid_, dirfd, rest);
  const std::filesystem::path whole(rest);
  const std::string name = whole.filename().string();
  if (name.empty() || name == "." || name == "..") return {};
  // Opened, not resolved as text: the kernel follows /proc's links into the tracee's own root, folder
  // or descriptor, and /proc/self/fd then names the folder as the grader sees it (a folder the grader
  // cannot reach, the run's private /tmp, comes out as a path outside the grader's folders).
  const std::string folder = base + "/" + whole.parent_path().string();
  const int fd = ::open(folder.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return {};
  std::error_code ec;
  const auto real = std::filesystem::read_symlink("/proc/self/fd/" + std::to_string(fd), ec);
  ::close(fd);
  if (ec || real.empty() || real.string()[0] != '/') return {};
  return (real / name).string();
}

std::string ProcessMemory::fd_path(int fd) const {
  std::error_code ec;
  return std::filesystem::read_symlink("/proc/" + std::to_string(pid_) + "/fd/" + std::to_string(fd), ec)
      .string();
}

std::optional<unsigned> ProcessMemory::umask() const {
  const auto status = util::proc_status(std::to_string(pid_));
  const auto it = status.find("Umask");
  if (it == status.end()) return std::nullopt;
  return static_cast<unsigned>(std::strtoul(it->second.c_str(), nullptr, 8));
}

bool ProcessMemory::queue_exists(const std::string& name) const {
  // The grader shares the run's IPC namespace: an open of its own, closed at once, tells.
  const mqd_t q = ::mq_open(name.c_str(), O_RDONLY | O_NONBLOCK);
  if (q == static_cast<mqd_t>(-1)) return errno != ENOENT;
  ::mq_close(q);
  return true;
}

std::optional<FileId> ProcessMemory::file_at(int dirfd, const std::string& path) const {
  // Through the tracee's own root, folder or descriptor in /proc, so that a path means what it means
  // to the tracee in its mount namespace. Only the file's type and identity are read: a link in the
  // path that leads elsewhere can mislead the trace, never the grader.
  if (path.empty()) return std::nullopt;
  std::string rest = path;
  const std::string base = proc_base(pid_, dirfd, rest);
  const std::string where = base + (rest.empty() || rest[0] == '/' ? "" : "/") + rest;
  struct stat st {};
  if (::lstat(where.c_str(), &st) != 0) return std::nullopt;
  return identity(st);
}

}  // namespace ipcgrade::families
