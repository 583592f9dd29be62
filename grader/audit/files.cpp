#include "grader/audit/files.hpp"

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "grader/util/file_kind.hpp"
#include "grader/util/text.hpp"

namespace ipcgrade::audit {

namespace fs = std::filesystem;

run::Leftover file_leftover(const std::string& path, const struct stat& st) {
  run::Leftover l;
  l.kind = trace::parse_ipc_kind(util::file_kind(st.st_mode)).value_or(trace::IpcKind::File);
  l.path = path;
  l.name = util::shown_path(path);
  l.id = -1;
  l.mode = st.st_mode & 07777;
  l.uid = st.st_uid;
  l.bytes = S_ISREG(st.st_mode) ? static_cast<std::uint64_t>(st.st_size) : 0;
  l.created = st.st_ctime;
  return l;
}

namespace {

// Gives every folder of the tree at `root` that this process owns its owner's permissions back, never
// following a link: what its owner may always do, and what removing what is inside takes.
void make_removable(const fs::path& root) {
  std::vector<fs::path> folders{root};
  size_t seen = 0;
  while (!folders.empty() && ++seen < 100000) {
    const fs::path dir = folders.back();
    folders.pop_back();
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::geteuid()) continue;
    ::chmod(dir.c_str(), (st.st_mode & 07777) | S_IRWXU);
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.is_directory(ec) && !entry.is_symlink(ec)) folders.push_back(entry.path());
    }
  }
}

}  // namespace

void remove_all_as(uid_t uid, gid_t gid, const std::vector<run::Leftover*>& files) {
  if (files.empty()) return;
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) {
    for (auto* file : files) file->reclaim_error = std::strerror(errno);
    return;
  }
  // One process for all of them: a run that leaves 20,000 FIFOs must not cost 20,000 forks.
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(report[0]);
    int dropped = 0;
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct none[2] = {};
    if (::setgroups(0, nullptr) != 0 && errno != EPERM) dropped = errno;
    if (!dropped && (::setresgid(gid, gid, gid) != 0 || ::setresuid(uid, uid, uid) != 0)) dropped = errno;
    // uid 0 keeps its capabilities through setresuid: give them up, so that root in a container
    // removes only what its programs (which run without any) could have removed.
    if (!dropped) ::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
    if (!dropped && ::syscall(SYS_capset, &header, none) != 0) dropped = errno;
    for (const auto* file : files) {
      int err = dropped;
      // A folder goes with what is in it (a folder made elsewhere and renamed here, say): whatever the
      // run's credentials let go, which is what the run could have removed itself.
      std::error_code ec;
      if (!err && file->kind == trace::IpcKind::Directory) {
        // A folder the run made unreadable (mode 0) is still its own to open up again.
        make_removable(file->path);
        fs::remove_all(file->path, ec);
        if (ec) err = ec.value();
      } else if (!err && ::unlink(file->path.c_str()) != 0) {
        err = errno;
        // In a folder of the run's that it made unreadable: opened up again, as its owner may.
        if (err == EACCES &&
            (make_removable(fs::path(file->path).parent_path()), ::unlink(file->path.c_str()) == 0))
          err = 0;
      }
      (void)!::write(report[1], &err, sizeof err);
    }
    ::_exit(0);
  }
  ::close(report[1]);
  for (auto* file : files) {
    int err = pid < 0 ? errno : EIO;
    if (pid > 0) {
      ssize_t n;
      while ((n = ::read(report[0], &err, sizeof err)) < 0 && errno == EINTR) {
      }
      if (n != sizeof err) err = EIO;
    }
    file->reclaimed = err == 0;
    if (err != 0) file->reclaim_error = std::strerror(err);
  }
  if (pid > 0) {
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  ::close(report[0]);
}

void remove_as(uid_t uid, gid_t gid, run::Leftover& file) {
  remove_all_as(uid, gid, {&file});
}

std::vector<run::Leftover> files_owned_by(uid_t uid, const std::vector<fs::path>& dirs,
                                          const std::vector<fs::path>& skip) {
  std::vector<run::Leftover> found;
  size_t seen = 0;
  for (const auto& dir : dirs) {
    struct stat top {};
    if (::lstat(dir.c_str(), &top) != 0) continue;
    std::error_code ec;
    fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
    std::vector<run::Leftover> here;
    for (; !ec && it != end && ++seen <= 100000; it.increment(ec)) {
      struct stat st {};
      if (::lstat(it->path().c_str(), &st) != 0) continue;
      // Not into another filesystem (a mount under /tmp is not the run's), nor into a folder of
      // someone else's (what the run made in one it could write is still found: it is the run's).
      bool skipped = false;
      for (const auto& s : skip) skipped = skipped || it->path() == s;
      if (st.st_dev != top.st_dev || skipped) {
        if (S_ISDIR(st.st_mode)) it.disable_recursion_pending();
        continue;
      }
      if (st.st_uid != uid) continue;
      here.push_back(file_leftover(it->path().string(), st));
    }
    // Deepest first: a folder's content goes before the folder.
    for (auto l = here.rbegin(); l != here.rend(); ++l) found.push_back(std::move(*l));
  }
  return found;
}

}  // namespace ipcgrade::audit
