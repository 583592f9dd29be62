#include "grader/supervise/mounts.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace fs = std::filesystem;

namespace ipcgrade::supervise {

namespace {

struct MountPoint {
  std::string path;
  unsigned long flags = 0;  // the per-mount flags it has now, which a remount must keep
};

// The mount points of this mount namespace, from /proc/self/mountinfo (fields: id parent dev root
// mount-point per-mount-options ...). Octal escapes (\040 for a space) are decoded.
std::vector<MountPoint> mount_points() {
  std::vector<MountPoint> out;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, dev, root, point, options;
    if (!(fields >> id >> parent >> dev >> root >> point >> options)) continue;
    std::string path;
    for (size_t i = 0; i < point.size(); ++i) {
      if (point[i] == '\\' && i + 3 < point.size()) {
        path += static_cast<char>(std::stoi(point.substr(i + 1, 3), nullptr, 8));
        i += 3;
      } else {
        path += point[i];
      }
    }
    MountPoint m{path, 0};
    std::istringstream opts(options);
    for (std::string o; std::getline(opts, o, ',');) {
      if (o == "nosuid") m.flags |= MS_NOSUID;
      if (o == "nodev") m.flags |= MS_NODEV;
      if (o == "noexec") m.flags |= MS_NOEXEC;
      if (o == "noatime") m.flags |= MS_NOATIME;
      if (o == "nodiratime") m.flags |= MS_NODIRATIME;
      if (o == "relatime") m.flags |= MS_RELATIME;
    }
    out.push_back(m);
  }
  return out;
}

bool under(const std::string& path, const std::string& dir) {
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
                         (dir == "/" || path[dir.size()] == '/'));
}

bool mount_tmpfs(const char* where, std::uint64_t bytes) {
  const std::string options = fmt::format("mode=1777,size={}", bytes);
  return ::mount("tmpfs", where, "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) == 0;
}

// /tmp as the run sees it: the host's files still there to read (homework and tools may live under
// /tmp), the run's own writes in a tmpfs of its own — an overlay with the host's /tmp beneath. Where
// the kernel refuses the overlay, /tmp stays the host's, read-only like the rest.
bool private_tmp(std::uint64_t bytes) {
  const int lower = ::open("/tmp", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (lower < 0) return false;
  bool ok = mount_tmpfs("/tmp", bytes);
  if (ok) {
    ::mkdir("/tmp/.upper", 01777);
    ::mkdir("/tmp/.work", 0700);
    ::chmod("/tmp/.upper", 01777);
    const std::string options =
        fmt::format("lowerdir=/proc/self/fd/{},upperdir=/tmp/.upper,workdir=/tmp/.work", lower);
    ok = ::mount("overlay", "/tmp", "overlay", MS_NOSUID | MS_NODEV, options.c_str()) == 0;
    if (!ok) ::umount2("/tmp", MNT_DETACH);  // back to the host's /tmp, read-only
  }
  ::close(lower);
  return ok;
}

}  // namespace

bool RunMounts::setup(std::string* error) {
  // Nothing done here may reach the host's mount table.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    *error = fmt::format("cannot make the mounts private: {}", std::strerror(errno));
    return false;
  }
  const fs::path work = fs::weakly_canonical(work_dir);
  // The working folder becomes a mount of its own, so the read-only pass can leave it writable; the
  // descriptor brings it back after /tmp is covered.
  if (::mount(work.c_str(), work.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) {
    *error = fmt::format("cannot bind the working folder {}: {}", work.string(), std::strerror(errno));
    return false;
  }
  const int work_fd = ::open(work.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  std::vector<std::pair<fs::path, int>> kept;
  for (const auto& dir : keep) {
    std::error_code ec;
    const fs::path path = fs::weakly_canonical(dir, ec);
    if (ec || path == work || !under(path.string(), "/tmp")) continue;
    const int fd = ::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) kept.emplace_back(path, fd);
  }
  read_only = true;
  for (const auto& m : mount_points()) {
    if (under(m.path, "/proc") || under(m.path, "/sys") || under(m.path, "/dev") || m.path == work.string())
      continue;
    const unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY | m.flags;
    if (::mount(nullptr, m.path.c_str(), nullptr, flags, nullptr) != 0) read_only = false;
  }
  if (private_tmp(tmp_bytes) && under(work.string(), "/tmp") && work_fd >= 0) {
    std::error_code ec;
    fs::create_directories(work, ec);
    const std::string source = fmt::format("/proc/self/fd/{}", work_fd);
    if (::mount(source.c_str(), work.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) {
      *error =
          fmt::format("cannot bring back the working folder {}: {}", work.string(), std::strerror(errno));
      ::close(work_fd);
      return false;
    }
  }
  if (work_fd >= 0) ::close(work_fd);
  for (const auto& [path, fd] : kept) {
    std::error_code ec;
    fs::create_directories(path, ec);
    const std::string source = fmt::format("/proc/self/fd/{}", fd);
    if (::mount(source.c_str(), path.c_str(), nullptr, MS_BIND | MS_REC, nullptr) == 0)
      ::mount(nullptr, path.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr);
    ::close(fd);
  }
  std::error_code ec;
  if (fs::is_directory("/dev/shm", ec) && !mount_tmpfs("/dev/shm", tmp_bytes)) {
    *error = fmt::format("cannot mount a private /dev/shm: {}", std::strerror(errno));
    return false;
  }
  mqueue_dir = fs::is_directory("/dev/mqueue", ec) ? fs::path("/dev/mqueue") : fs::path("/tmp/.mqueue");
  fs::create_directories(mqueue_dir, ec);
  if (::mount("mqueue", mqueue_dir.c_str(), "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
    mqueue_dir.clear();
  return true;
}

}  // namespace ipcgrade::supervise
