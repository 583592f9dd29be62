#include "grader/sandbox/run_mounts.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstring>

#include "grader/util/units.hpp"

namespace fs = std::filesystem;

namespace ipcgrade::sandbox {

namespace {

// Files a working folder may hold: one per 16 KiB of its size, at least 4096 (a tmpfs counts inodes
// apart from bytes; without a bound, millions of empty files would cost kernel memory, not disk).
std::uint64_t inodes_for(std::uint64_t bytes) {
  return std::max<std::uint64_t>(4096, bytes / 16384);
}

}  // namespace

RunMounts::~RunMounts() {
  if (beneath_ >= 0) ::close(beneath_);
}

bool RunMounts::setup(std::string* error) {
  // Nothing done here may reach the host's mount table.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    *error = fmt::format("private mounts: {}", std::strerror(errno));
    return false;
  }
  if (disk_bytes > 0) {
    beneath_ = ::open(work_dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    const std::string options =
        fmt::format("mode=0755,size={},nr_inodes={}", disk_bytes, inodes_for(disk_bytes));
    if (beneath_ < 0 ||
        ::mount("tmpfs", work_dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
      *error = fmt::format("working folder: cannot mount a tmpfs of {} on {}: {}",
                           util::format_size(disk_bytes), work_dir.string(), std::strerror(errno));
      return false;
    }
    const int into = ::open(work_dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    copied_ = util::copy_tree(beneath_, work_dir.string(), into, {});
    if (into >= 0) ::close(into);
  }
  std::error_code ec;
  if (fs::is_directory("/dev/shm", ec)) {
    const std::string options = fmt::format("mode=1777,size={}", shm_bytes);
    if (::mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
      *error = fmt::format("/dev/shm: cannot mount a private tmpfs: {}", std::strerror(errno));
      return false;
    }
  }
  mqueue_dir_ = fs::is_directory("/dev/mqueue", ec) ? fs::path("/dev/mqueue") : fs::path("/tmp/.mqueue");
  fs::create_directories(mqueue_dir_, ec);
  if (::mount("mqueue", mqueue_dir_.c_str(), "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
    mqueue_dir_.clear();
  return true;
}

bool RunMounts::copy_back(std::string* error, bool* refused) {
  *refused = false;
  if (beneath_ < 0) return true;
  util::clear_tree(beneath_);
  const int from = ::open(work_dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (from < 0) {
    *error = fmt::format("cannot open {}: {}", work_dir.string(), std::strerror(errno));
    return false;
  }
  const util::CopyResult back = util::copy_tree(from, work_dir.string(), beneath_, {});
  ::close(from);
  if (!back.refused.empty()) {
    *refused = true;
    *error = "the build's result cannot be kept: " + back.refused;
    return false;
  }
  if (!back.error.empty()) *error = "cannot copy the build's result out of the sandbox: " + back.error;
  return back.error.empty();
}

std::optional<std::string> RunMounts::full() const {
  if (disk_bytes == 0) return std::nullopt;
  struct statvfs st {};
  if (::statvfs(work_dir.c_str(), &st) != 0) return std::nullopt;
  // Full: less than a block left for an ordinary writer, or no file left to create.
  if (st.f_bavail * st.f_frsize < 65536 || st.f_favail == 0 || !copied_.error.empty())
    return fmt::format(
        "the working folder is full ({}{})", st.f_favail == 0 ? "no file left of " : "",
        st.f_favail == 0 ? std::to_string(inodes_for(disk_bytes)) : util::format_size(disk_bytes));
  return std::nullopt;
}

}  // namespace ipcgrade::sandbox
