#include "grader/build/scratch.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

namespace fs = std::filesystem;

namespace ipcgrade::build {

Scratch::Scratch(const fs::path& submission, std::uint64_t max_bytes) {
  std::string tmpl = (fs::temp_directory_path() / "ipcgrade-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::system_error(errno, std::generic_category(), "cannot create " + tmpl);
  root_ = tmpl;
  work_ = root_ / "work";
  try {
    // Locked under a temporary name, then renamed: a `.lock` that exists is always a held one.
    const fs::path lock = root_ / ".lock";
    lock_ = ::open((root_ / ".lock-new").c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (lock_ < 0 || ::flock(lock_, LOCK_EX) != 0 ||
        ::rename((root_ / ".lock-new").c_str(), lock.c_str()) != 0)
      throw std::system_error(errno, std::generic_category(), "cannot lock " + root_.string());
    // World-traversable so that student programs, which may run under another uid, reach their copy.
    ::chmod(root_.c_str(), 0755);
    fs::create_directory(work_);
    const int from = ::open(submission.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (from < 0)
      throw std::system_error(errno, std::generic_category(),
                              "cannot open the submission " + submission.string());
    const int to = ::open(work_.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    copied_ = util::copy_tree(from, fs::weakly_canonical(submission).string(), to, {max_bytes});
    ::close(from);
    if (to >= 0) ::close(to);
    if (!copied_.error.empty())
      throw std::runtime_error("cannot copy the submission into " + work_.string() + ": " + copied_.error);
  } catch (...) {
    std::error_code ec;
    fs::remove_all(root_, ec);
    if (lock_ >= 0) ::close(lock_);
    throw;
  }
}

Scratch::~Scratch() {
  std::error_code ec;
  fs::remove_all(root_, ec);
  if (lock_ >= 0) ::close(lock_);
}

std::vector<fs::path> reclaim_orphan_scratches() {
  std::vector<fs::path> removed;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::temp_directory_path(), ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("ipcgrade-", 0) != 0 || name.rfind("ipcgrade-test-", 0) == 0) continue;
    struct stat st {};
    if (::lstat(entry.path().c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::geteuid()) continue;
    const int fd = ::open((entry.path() / ".lock").c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      // A grader killed between making its folder and locking it leaves the folder empty (or with an
      // unrenamed .lock-new): gone once it is a minute old, which no live grader's is before its lock.
      if (::time(nullptr) - st.st_mtime > 60) {
        ::unlink((entry.path() / ".lock-new").c_str());
        if (::rmdir(entry.path().c_str()) == 0) removed.push_back(entry.path());
      }
      continue;
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
      fs::remove_all(entry.path(), ec);
      removed.push_back(entry.path());
    }
    ::close(fd);
  }
  return removed;
}

}  // namespace ipcgrade::build
