#include "grader/supervise/pids_cgroup.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;

namespace ipcgrade::supervise {

namespace {

bool write_file(const fs::path& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  return ok;
}

// Where a child cgroup with the pids controller can be made: the v1 hierarchy, or our own v2 cgroup
// when it delegates pids.
fs::path pids_parent() {
  std::error_code ec;
  if (fs::exists("/sys/fs/cgroup/pids/cgroup.procs", ec)) {
    std::ifstream self("/proc/self/cgroup");
    std::string line;
    while (std::getline(self, line)) {
      const auto first = line.find(':'), second = line.find(':', first + 1);
      if (line.substr(first + 1, second - first - 1) == "pids")
        return fs::path("/sys/fs/cgroup/pids") / line.substr(second + 2);
    }
    return "/sys/fs/cgroup/pids";
  }
  if (fs::exists("/sys/fs/cgroup/cgroup.controllers", ec)) {
    std::ifstream self("/proc/self/cgroup");
    std::string line;
    while (std::getline(self, line)) {
      if (line.rfind("0::", 0) != 0) continue;
      const fs::path own = fs::path("/sys/fs/cgroup") / line.substr(4);
      std::ifstream controllers(own / "cgroup.subtree_control");
      std::string list((std::istreambuf_iterator<char>(controllers)), {});
      if (list.find("pids") != std::string::npos) return own;
    }
  }
  return {};
}

}  // namespace

PidsCgroup::PidsCgroup(int max_processes, const std::string& name) {
  const fs::path parent = pids_parent();
  if (parent.empty()) {
    why_not_ = "no pids cgroup controller available";
    return;
  }
  std::error_code ec;
  // Cgroups of graders that were killed (SIGKILL runs no destructor): empty once their processes are
  // gone, removed here so they do not pile up.
  for (const auto& entry : fs::directory_iterator(parent, ec)) {
    const std::string other = entry.path().filename().string();
    if (other.rfind("ipcgrade-", 0) != 0 || other == name) continue;
    const pid_t owner = static_cast<pid_t>(std::strtol(other.c_str() + 9, nullptr, 10));
    if (owner > 0 && ::kill(owner, 0) != 0 && errno == ESRCH) ::rmdir(entry.path().c_str());
  }
  const fs::path dir = parent / name;
  if (!fs::create_directory(dir, ec) || ec) {
    why_not_ = "cannot create " + dir.string() + ": " + ec.message();
    return;
  }
  if (!write_file(dir / "pids.max", std::to_string(max_processes))) {
    why_not_ = "cannot write " + (dir / "pids.max").string() + ": " + std::strerror(errno);
    fs::remove(dir, ec);
    return;
  }
  dir_ = dir.string();
}

PidsCgroup::~PidsCgroup() {
  if (dir_.empty()) return;
  // The run's processes are gone by now (the PID namespace's init took them); the cgroup may take a
  // moment to notice.
  std::error_code ec;
  for (int i = 0; i < 100 && !fs::remove(dir_, ec); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

void PidsCgroup::add(pid_t pid) const {
  if (!dir_.empty()) write_file(fs::path(dir_) / "cgroup.procs", std::to_string(pid));
}

bool PidsCgroup::limit_hit() const {
  if (dir_.empty()) return false;
  std::ifstream events(fs::path(dir_) / "pids.events");
  std::string key;
  long count = 0;
  while (events >> key >> count) {
    if (key == "max" && count > 0) return true;
  }
  return false;
}

}  // namespace ipcgrade::supervise
