// Tracked mode: the files a run makes outside its own folders. With no private /tmp around the run,
// a FIFO, socket or file made in the host's /tmp or /var/tmp would outlive it; Landlock refuses those
// writes where the kernel has it, and where it has not the tracer records each one the run made (the
// calls that make a name: open/openat/creat with O_CREAT, mknod, mkdir, symlink, link, rename, bind),
// so that the end of the run can report it and remove it. Where Landlock refused such a call, the
// refusal is listed, so that a student whose mkfifo("/tmp/...") failed learns why.
#include <fcntl.h>
#include <limits.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <time.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include "grader/families/tracee_memory.hpp"
#include "grader/tracer/tracee_paths.hpp"
#include "grader/tracer/tracer.hpp"
#include "grader/tracer/tracer_state.hpp"
#include "grader/util/file_kind.hpp"
#include "grader/util/text.hpp"

namespace ipcgrade::tracer {

namespace {

// Where a call that makes a name takes it, from its row of the call table: the argument with the path
// (or the socket address), and the one with the folder's descriptor before it (-1: the process's
// current folder).
struct NameArgs {
  int dirfd = -1;
  int path = -1;
  int address = -1;
  int flags = -1;
};

NameArgs name_args(const trace::CallRow& row) {
  NameArgs out;
  for (int i = 0; i < static_cast<int>(row.args.size()); ++i) {
    const trace::Spelling s = row.args[static_cast<size_t>(i)].spelling;
    if (s == trace::Spelling::DirFd && out.path < 0) out.dirfd = i;
    if (s == trace::Spelling::Path) out.path = i;
    if (s == trace::Spelling::SockAddr) out.address = i;
    if (s == trace::Spelling::OpenFlags || s == trace::Spelling::MqOpenFlags) out.flags = i;
  }
  return out;
}

// The open flags of an open, openat or openat2 call; 0 for the other calls.
std::uint64_t open_flags(pid_t pid, int nr, const NameArgs& which, const unsigned long long (&args)[6]) {
  if (nr == SYS_openat2) return read_tracee_value<std::uint64_t>(pid, args[2]).value_or(0);  // open_how.flags
  return which.flags >= 0 ? args[which.flags] : 0;
}

}  // namespace

bool Tracer::watch_name(Proc& p, const trace::CallRow& row, const unsigned long long (&args)[6],
                        trace::Event* decoded) {
  const int nr = row.nr;
  const NameArgs which = name_args(row);
  // O_PATH makes no name, O_CREAT or not.
  const std::uint64_t flags = open_flags(p.host_pid, nr, which, args);
  if (flags & O_PATH) return false;
  std::string path;
  if (which.address >= 0) {
    if (args[which.address] != 0 && args[which.address + 1] > sizeof(sa_family_t) &&
        read_tracee(p.host_pid, args[which.address], sizeof(sa_family_t) + 1).size() <= sizeof(sa_family_t)) {
      refuse_call(p, nr, args, EPERM,
                  "the socket's address could not be read by the grader, so its file could not be found "
                  "again: refused");
      return true;
    }
    const auto named = read_unix_path(p.host_pid, args[which.address], args[which.address + 1]);
    if (named && *named != "@") path = *named;  // an abstract name makes no file
  } else if (which.path >= 0) {
    path = read_tracee_path(p.host_pid, args[which.path]);
    if (args[which.path] != 0 && read_tracee(p.host_pid, args[which.path], 1).empty()) {
      // A name the grader cannot read is a name it could not find again: refused, not let through.
      refuse_call(p, nr, args, EPERM,
                  "the name could not be read by the grader, so it could not be found again: refused");
      return true;
    }
  }
  if (path.empty()) return false;
  Pending pending;
  if (decoded) pending.event = std::move(*decoded);
  pending.nr = nr;
  std::copy(std::begin(args), std::end(args), pending.args);
  pending.path =
      tracee_path(p.host_pid, which.dirfd < 0 ? AT_FDCWD : static_cast<int>(args[which.dirfd]), path);
  // An open follows a final link (O_NOFOLLOW aside): what was there is the file the link leads to.
  struct stat st {};
  const bool opens = nr == SYS_open || nr == SYS_openat || nr == SYS_openat2 || nr == SYS_creat;
  const bool follows = opens && !(flags & O_NOFOLLOW);
  pending.existed = (follows ? ::stat(pending.path.c_str(), &st) : ::lstat(pending.path.c_str(), &st)) == 0;
  pending.dev = st.st_dev;
  pending.ino = st.st_ino;
  p.pending = std::move(pending);
  return true;
}

bool Tracer::inside_run(const std::string& path) const {
  for (const auto& dir : socket_dirs_) {
    if (!dir.empty() && (path == dir || path.rfind(dir + "/", 0) == 0)) return true;
  }
  return false;
}

void Tracer::named(Proc& p, const Pending& pending, long rval, bool is_error) {
  // Where the name really is: an opened file by its descriptor, anything else by its folder (the
  // name itself may be a link the call just made).
  std::string where;
  std::error_code ec;
  const std::filesystem::path path(pending.path);
  if (!is_error && (pending.nr == SYS_open || pending.nr == SYS_openat || pending.nr == SYS_openat2 ||
                    pending.nr == SYS_creat)) {
    where = std::filesystem::read_symlink(fmt::format("/proc/{}/fd/{}", p.host_pid, rval), ec).string();
  } else {
    char real[PATH_MAX];
    if (::realpath(path.parent_path().c_str(), real))
      where = std::string(real) + "/" + path.filename().string();
  }
  if (where.empty() || inside_run(where)) return;
  const std::string shown = util::shown_path(where);
  const std::string_view call = trace::call_row(pending.nr)->name;
  if (is_error) {
    // Landlock's refusal: invisible to the filter, named here.
    if ((rval == -EACCES || rval == -EPERM) && write_refusals_) {
      note_refusal(
          p, fmt::format("{}(\"{}\", ...)", call, shown), static_cast<int>(-rval),
          "tracked mode writes only in the working folder and the run's temporary folder ($TMPDIR); " +
              shown + " is outside them");
    }
    return;
  }
  // The host's /dev/shm and /dev/mqueue are writable by the run even where Landlock holds the rest: a
  // folder (of mode 0, say), a FIFO or a link made there is recorded whatever the kernel, and removed
  // at the end. (A regular file there is a POSIX object, which the trace finds as such.)
  const bool shared = where.rfind("/dev/shm/", 0) == 0 || where.rfind("/dev/mqueue/", 0) == 0;
  if ((!record_names_ && !shared) || created_files_.size() >= kMaxCreatedFiles) return;
  struct stat st {};
  if (::lstat(where.c_str(), &st) != 0) return;
  if (!record_names_ && S_ISREG(st.st_mode)) return;
  // open(O_CREAT) of a file that was there already made nothing; nor did any call whose file was born
  // before the run (where the filesystem records births): however the path was put, what the run did
  // not make is never the run's leftover.
  if (pending.existed && pending.dev == st.st_dev && pending.ino == st.st_ino) return;
  struct statx sx {};
  if (::statx(AT_FDCWD, where.c_str(), AT_SYMLINK_NOFOLLOW, STATX_BTIME, &sx) == 0 &&
      (sx.stx_mask & STATX_BTIME) && sx.stx_btime.tv_sec < names_since_)
    return;
  CreatedFile made;
  made.path = where;
  made.dev = st.st_dev;
  made.ino = st.st_ino;
  made.kind = util::file_kind(st.st_mode);
  made.mode = st.st_mode & 07777;
  made.process = p.name;
  made.index = p.index;
  made.pid = p.pid;
  made.call = fmt::format("{}(\"{}\", ...)", call, shown);
  if (p.judged) {
    user_regs_struct regs;
    if (ptrace(PTRACE_GETREGS, p.host_pid, nullptr, &regs) == 0)
      made.at = util::escape_controls(symbolizer_.call_site(p.host_pid, regs));
  }
  if (on_created_file_) on_created_file_(made);
  created_files_.push_back(std::move(made));
}

}  // namespace ipcgrade::tracer
