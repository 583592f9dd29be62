#include "grader/tracer/tracee_paths.hpp"

#include <fcntl.h>
#include <limits.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "grader/families/tracee_memory.hpp"

namespace ipcgrade::tracer {

using families::read_tracee;

std::string read_tracee_path(pid_t pid, std::uint64_t address) {
  return families::ProcessMemory(pid).path(address);
}

std::optional<std::string> read_unix_path(pid_t pid, std::uint64_t address, std::uint64_t length) {
  if (address == 0 || length <= sizeof(sa_family_t)) return std::nullopt;  // none, or an unnamed socket
  const std::string raw = read_tracee(pid, address, std::min<std::uint64_t>(length, sizeof(sockaddr_un)));
  sockaddr_un un{};
  std::memcpy(&un, raw.data(), std::min(raw.size(), sizeof un));
  if (raw.size() <= sizeof(sa_family_t) || un.sun_family != AF_UNIX) return std::nullopt;
  if (un.sun_path[0] == '\0') return std::string("@");
  return std::string(un.sun_path, strnlen(un.sun_path, sizeof un.sun_path));
}

std::string tracee_path(pid_t pid, int dirfd, const std::string& path) {
  const std::string proc = "/proc/" + std::to_string(pid);
  std::string absolute = path;
  if (path.empty() || path[0] != '/') {
    std::error_code ec;
    const auto link = dirfd == AT_FDCWD ? proc + "/cwd" : proc + "/fd/" + std::to_string(dirfd);
    absolute = std::filesystem::read_symlink(link, ec).string() + "/" + path;
  }
  for (const std::string self : {"/proc/self", "/proc/thread-self"}) {
    if (absolute.rfind(self, 0) == 0 && (absolute.size() == self.size() || absolute[self.size()] == '/'))
      return proc + absolute.substr(self.size());
  }
  return absolute;
}

}  // namespace ipcgrade::tracer
