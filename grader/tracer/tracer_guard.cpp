// Tracked mode's stand-in for the namespaces: with no IPC or PID namespace around the run, the
// tracer refuses the calls that would reach the host's objects and processes. Refusing at the
// seccomp stop is exact: the call never runs, and the program sees EPERM as if it lacked permission.
// The seccomp filter's own refusals (io_uring in every mode; mounts, keyrings and sockets other than
// Unix ones in tracked mode) stop here too, so that every refusal is listed in the report.
#include <fcntl.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/ptrace.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/user.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <utility>

#include <fmt/format.h>
#include <optional>

#include "grader/families/decoders.hpp"
#include "grader/families/tracee_memory.hpp"
#include "grader/tracer/tracee_paths.hpp"
#include "grader/tracer/tracer.hpp"
#include "grader/tracer/tracer_state.hpp"
#include "grader/util/procfs.hpp"
#include "grader/util/text.hpp"

namespace ipcgrade::tracer {

namespace {

// The refused call the way a student would write it, as far as its arguments tell: the call table's
// arguments that say what was refused (the family of a socket, the pid and signal of a kill), the rest
// elided.
std::string refused_call(int nr, const unsigned long long (&a)[6]) {
  const trace::CallRow* row = trace::call_row(nr);
  return row ? trace::format_raw(*row, a) : fmt::format("syscall {}(...)", nr);
}

// Whether a *ctl call (a Guard::OwnObject row) would remove or change its object, rather than only
// read it.
bool changes_object(const trace::CallRow& row, const unsigned long long (&a)[6]) {
  const int cmd = static_cast<int>(a[row.family == trace::Family::Sem ? 2 : 1]) & 0xff;  // without IPC_64
  if (cmd == IPC_RMID || cmd == IPC_SET) return true;
  if (row.family == trace::Family::Shm) return cmd == SHM_LOCK || cmd == SHM_UNLOCK;
  if (row.family == trace::Family::Sem) return cmd == SETVAL || cmd == SETALL;
  return false;
}

// What unix_destination says of an address the tracer cannot read: never a path.
constexpr const char* kUnreadable = "?";

// Where a connect, sendto or sendmsg would reach, for a Unix socket address: its path (relative ones
// resolved from the caller's folder), "@" for an abstract name, kUnreadable for an address the tracer
// cannot read (the guard fails closed: what it cannot judge, it refuses); nullopt when the call names
// no address (a connected socket, a socketpair) or not a Unix one (other families cannot be made here).
std::optional<std::string> unix_destination(pid_t pid, int nr, const unsigned long long (&a)[6]) {
  std::uint64_t addr = 0, len = 0;
  if (nr == SYS_connect) {
    addr = a[1];
    len = a[2];
  } else if (nr == SYS_sendto) {
    addr = a[4];
    len = a[5];
  } else if (nr == SYS_sendmsg) {
    const auto msg = read_tracee_value<msghdr>(pid, a[1]);
    if (!msg) return std::string(kUnreadable);
    addr = reinterpret_cast<std::uint64_t>(msg->msg_name);
    len = msg->msg_namelen;
  }
  if (addr != 0 && len > sizeof(sa_family_t) &&
      read_tracee(pid, addr, std::min<std::uint64_t>(len, sizeof(sockaddr_un))).size() <= sizeof(sa_family_t))
    return std::string(kUnreadable);
  const auto path = read_unix_path(pid, addr, len);
  if (!path || *path == "@") return path;
  return tracee_path(pid, AT_FDCWD, *path);
}

// The process a pidfd (or an open /proc/PID folder, which pidfd_send_signal also takes) of the tracee
// refers to; nullopt when the descriptor is neither.
std::optional<long> pid_of_descriptor(pid_t tracee, int fd) {
  for (const auto& line : util::read_proc_lines(fmt::format("/proc/{}/fdinfo/{}", tracee, fd))) {
    if (line.rfind("Pid:", 0) == 0) return std::strtol(line.c_str() + 4, nullptr, 10);
  }
  std::error_code ec;
  const std::string target = std::filesystem::read_symlink(fmt::format("/proc/{}/fd/{}", tracee, fd), ec);
  if (!ec && target.rfind("/proc/", 0) == 0 && target.size() > 6 &&
      target.find_first_not_of("0123456789", 6) == std::string::npos)
    return std::strtol(target.c_str() + 6, nullptr, 10);
  return std::nullopt;
}

}  // namespace

void refuse_only(pid_t host_pid, int err) {
  user_regs_struct regs;
  if (ptrace(PTRACE_GETREGS, host_pid, nullptr, &regs) != 0) return;
  regs.orig_rax = static_cast<unsigned long long>(-1);
  regs.rax = static_cast<unsigned long long>(-static_cast<long long>(err));
  ptrace(PTRACE_SETREGS, host_pid, nullptr, &regs);
}

void Tracer::refuse_call(Proc& p, int nr, const unsigned long long (&args)[6], int err,
                         const std::string& why, std::string call) {
  refuse_only(p.host_pid, err);
  note_refusal(p, call.empty() ? refused_call(nr, args) : std::move(call), err, why);
}

void Tracer::note_refusal(Proc& p, std::string call, int err, const std::string& why) {
  for (auto& r : refusals_) {
    if (r.pid == p.pid && r.process == p.name && r.call == call && r.why == why) {
      ++r.count;
      return;
    }
  }
  if (refusals_.size() >= kMaxRefusals) return;
  trace::Refusal r;
  r.process = p.name;
  r.index = p.index;
  r.pid = p.pid;
  r.call = std::move(call);
  r.error = strerrorname_np(err) ? strerrorname_np(err) : std::to_string(err);
  r.why = why;
  refusals_.push_back(std::move(r));
}

bool Tracer::run_key(trace::IpcKind kind, long key) const {
  for (const auto& [object, k] : created_) {
    if (object.first == kind && k == key && !removed_.count(object)) return true;
  }
  return false;
}

bool Tracer::guard_ipc_entry(Proc& p, const trace::CallRow& row, const unsigned long long (&args)[6]) {
  const auto kind = trace::ipc_kind_of(row.family);
  if (!kind) return false;
  if (row.creates == trace::Creates::WithIpcCreat) {
    // A key the run has not made yet may already name another program's object (a classmate's run in
    // the same batch took it first, or a host program): IPC_CREAT alone would open that object. Made
    // exclusive, the call either makes the run's own object or fails (guard_ipc_exit says why).
    const int flags_arg = row.family == trace::Family::Msg ? 1 : 2;
    const auto key = static_cast<key_t>(args[0]);
    if (key != IPC_PRIVATE && (args[flags_arg] & IPC_CREAT) && !(args[flags_arg] & IPC_EXCL) &&
        !run_key(*kind, key)) {
      user_regs_struct regs;
      if (ptrace(PTRACE_GETREGS, p.host_pid, nullptr, &regs) == 0) {
        (flags_arg == 1 ? regs.rsi : regs.rdx) |= IPC_EXCL;
        p.excl_added = ptrace(PTRACE_SETREGS, p.host_pid, nullptr, &regs) == 0;
      }
    }
    return false;
  }
  // msgsnd, msgrcv, semop, semtimedop, shmat: only on the run's own objects. (The *ctl calls may read any
  // object, as ipcs does, and change only the run's: OwnObject below.)
  const bool by_id = row.nr == SYS_msgsnd || row.nr == SYS_msgrcv || row.nr == SYS_semop ||
                     row.nr == SYS_semtimedop || row.nr == SYS_shmat;
  const int id = static_cast<int>(args[0]);
  if (!by_id || created_.count({*kind, id}) > 0) return false;
  // EINVAL: what the call gets in namespaces mode, where another program's objects do not exist.
  refuse_recorded(p, row.nr, args, EINVAL, fmt::format("id {} is not an object this run made", id),
                  "not an object of this run");
  return true;
}

void Tracer::guard_ipc_exit(Proc& p, const trace::CallRow& row, const unsigned long long (&args)[6],
                            long& rval, bool& is_error) {
  const auto kind = trace::ipc_kind_of(row.family);
  if (row.creates != trace::Creates::WithIpcCreat || !kind) return;
  const bool excl_added = std::exchange(p.excl_added, false);
  const int flags_arg = row.family == trace::Family::Msg ? 1 : 2;
  const bool create = (args[flags_arg] & IPC_CREAT) != 0 || static_cast<key_t>(args[0]) == IPC_PRIVATE;
  int err = 0;
  std::string why;
  if (excl_added && is_error && rval == -EEXIST) {
    err = EACCES;
    why = fmt::format("key {:#010x} names an object this run did not make: another program made it first",
                      static_cast<unsigned>(args[0]));
  } else if (!is_error && !create && created_.count({*kind, static_cast<int>(rval)}) == 0) {
    // ENOENT: what the call gets in namespaces mode, where another program's objects do not exist.
    err = ENOENT;
    why = fmt::format("key {:#010x} names an object this run did not make", static_cast<unsigned>(args[0]));
  }
  if (!err) return;
  user_regs_struct regs;
  if (ptrace(PTRACE_GETREGS, p.host_pid, nullptr, &regs) != 0) return;
  regs.rax = static_cast<unsigned long long>(-static_cast<long long>(err));
  if (ptrace(PTRACE_SETREGS, p.host_pid, nullptr, &regs) != 0) return;
  rval = -err;
  is_error = true;
  note_refusal(p, refused_call(row.nr, args), err, why);
}

bool Tracer::guard_call(Proc& p, const trace::CallRow& row, const unsigned long long (&args)[6]) {
  const int nr = row.nr;
  if (guard_ipc_entry(p, row, args)) return true;
  if (nr == SYS_fcntl && (args[1] == F_SETOWN || args[1] == F_SETOWN_EX)) {
    // The owner of a descriptor gets its SIGIO (or, with F_SETSIG, any signal): one of the run's own.
    const long owner = static_cast<int>(args[2]);
    const bool allowed =
        args[1] == F_SETOWN && (owner == 0 || seen_pids_.count(owner < 0 ? -owner : owner) > 0);
    if (!allowed) {
      refuse_call(p, nr, args, EPERM,
                  args[1] == F_SETOWN_EX
                      ? std::string("F_SETOWN_EX names its owner in memory another thread could change after "
                                    "the check: use F_SETOWN with a process of the run")
                      : fmt::format("{} {} is not one of this run: it would get the descriptor's signals",
                                    owner < 0 ? "process group" : "pid", owner < 0 ? -owner : owner),
                  fmt::format("fcntl({}, {}, {})", static_cast<int>(args[0]),
                              args[1] == F_SETOWN ? "F_SETOWN" : "F_SETOWN_EX", owner));
    }
    resume(p, 0);
    return true;
  }
  if (row.guard == trace::Guard::RunPidFd) {
    // pidfd_send_signal and pidfd_getfd: the pidfd may come from pidfd_open (guarded) or be a /proc/PID
    // folder opened like any file; either way it must be a process of the run's. One the grader cannot
    // resolve is refused.
    const int fd = static_cast<int>(args[0]);
    const std::optional<long> target = pid_of_descriptor(p.host_pid, fd);
    if (!target || seen_pids_.count(*target) == 0) {
      refuse_call(p, nr, args, EPERM,
                  target ? fmt::format("pid {} is not a process of this run", *target)
                         : fmt::format("descriptor {} is not a pidfd of a process of this run", fd));
    }
    resume(p, 0);
    return true;
  }
  if (row.guard == trace::Guard::RunPid) {
    // Signals, a pidfd (pidfd_send_signal and pidfd_getfd need one), another's memory, ptrace.
    const std::optional<long> target = static_cast<int>(args[row.pid_arg]);
    // kill(0) is the caller's own process group, which the runner made the run's own; kill(-1) and
    // any pid or group the run never had are someone else's.
    const bool group_calls = nr == SYS_kill;
    const bool allowed = (group_calls && *target == 0) || (*target > 0 && seen_pids_.count(*target) > 0) ||
                         (group_calls && *target < -1 && seen_pids_.count(-*target) > 0);
    if (!allowed) {
      refuse_call(p, nr, args, EPERM,
                  *target == -1  ? "kill(-1, ...) would reach every process of the user's; only the run's "
                                   "own processes may be signalled"
                  : *target < -1 ? fmt::format("process group {} is not one of this run", -*target)
                                 : fmt::format("pid {} is not a process of this run", *target));
    }
    resume(p, 0);
    return true;
  }
  if (row.guard == trace::Guard::SocketPath) {
    // The address is judged as the kernel will read it: with every other task of the run stopped from
    // before it is read until the kernel has its own copy (tracer_hold.cpp).
    const bool names_address = nr == SYS_sendmsg || (nr == SYS_connect ? args[1] : args[4]) != 0;
    if (names_address && !hold_others(p)) {
      refuse_call(p, nr, args, EPERM,
                  "another task of the run could not be stopped while the socket's address was read, so "
                  "the address could have changed after the check: refused");
      resume(p, 0);
      return true;
    }
    if (const auto where = unix_destination(p.host_pid, nr, args)) {
      // The path as the kernel will follow it; the run cannot make symlinks (Landlock), so a folder of
      // its own cannot lead elsewhere between this check and the call.
      bool inside = false;
      if (*where == kUnreadable) {
        refuse_call(p, nr, args, EPERM,
                    "the socket's address could not be read by the grader, so it cannot say where the call "
                    "leads: refused");
        resume(p, 0);
        return true;
      }
      if (*where != "@") {
        // A socket not made yet (a client that retries until its server is up) is judged by its folder.
        char real[PATH_MAX];
        std::string resolved;
        const std::filesystem::path path(*where);
        if (::realpath(where->c_str(), real)) {
          resolved = real;
        } else if (::realpath(path.parent_path().c_str(), real)) {
          resolved = std::string(real) + "/" + path.filename().string();
        }
        for (const auto& dir : socket_dirs_)
          inside = inside || (!dir.empty() && !resolved.empty() && resolved.rfind(dir + "/", 0) == 0);
      }
      if (!inside) {
        const std::string shown = *where == "@" ? "@..." : util::escape_controls(*where);
        const char* name = nr == SYS_connect ? "connect" : nr == SYS_sendto ? "sendto" : "sendmsg";
        refuse_call(
            p, nr, args, EPERM,
            *where == "@"
                ? std::string("an abstract socket name reaches outside the run: use a path in "
                              "the working folder")
                : "the socket " + shown + " is outside the working folder and the run's temporary folder",
            fmt::format("{}({}, {{AF_UNIX, \"{}\"}}, ...)", name, static_cast<int>(args[0]), shown));
      }
    }
    if (names_address) {
      resume_past_copy(p);
    } else {
      resume(p, 0);
    }
    return true;
  }
  if (row.guard != trace::Guard::OwnObject || !changes_object(row, args)) return false;
  const int id = static_cast<int>(args[0]);
  if (created_.count({*trace::ipc_kind_of(row.family), id}) > 0) return false;
  refuse_recorded(p, nr, args, EPERM, fmt::format("id {} is not an object this run created", id),
                  "not an object of this run");
  return true;
}

void Tracer::refuse_recorded(Proc& p, int nr, const unsigned long long (&args)[6], int err,
                             const std::string& why, const std::string& refused) {
  // The IPC call stays in the trace too (checks judge it), with the decoded arguments.
  trace::Event e;
  const ProcessMemory tracee(p.host_pid);
  DecodeContext ctx{tracee, *p.fds, next_pipe_, p.timer_until, names_};
  decode_entry(ctx, nr, args, e);
  refuse_call(p, nr, args, err, why, trace::format_call(e));
  e.result = -1;
  e.error = err;
  e.texts["refused"] = refused;
  emit_call(p, std::move(e));
  resume(p, 0);
}

}  // namespace ipcgrade::tracer
