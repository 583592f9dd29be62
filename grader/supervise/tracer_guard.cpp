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
#include <sys/user.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>
#include <optional>

#include "grader/supervise/tracee_memory.hpp"
#include "grader/supervise/tracee_paths.hpp"
#include "grader/supervise/tracer.hpp"
#include "grader/supervise/tracer_state.hpp"
#include "grader/util/text.hpp"

namespace ipcgrade::supervise {

namespace {

std::string signal_name(unsigned long long sig) {
  if (sig == 0) return "0";
  const char* abbrev = sig < 65 ? sigabbrev_np(static_cast<int>(sig)) : nullptr;
  return abbrev ? std::string("SIG") + abbrev : std::to_string(sig);
}

std::string family_name(unsigned long long family) {
  switch (family) {
    case AF_UNIX:
      return "AF_UNIX";
    case AF_INET:
      return "AF_INET";
    case AF_INET6:
      return "AF_INET6";
    case AF_NETLINK:
      return "AF_NETLINK";
    case AF_PACKET:
      return "AF_PACKET";
    default:
      return std::to_string(family);
  }
}

std::string socket_type_name(unsigned long long type) {
  switch (type & 0xf) {  // without SOCK_NONBLOCK and SOCK_CLOEXEC
    case SOCK_STREAM:
      return "SOCK_STREAM";
    case SOCK_DGRAM:
      return "SOCK_DGRAM";
    case SOCK_RAW:
      return "SOCK_RAW";
    case SOCK_SEQPACKET:
      return "SOCK_SEQPACKET";
    default:
      return std::to_string(type);
  }
}

// The refused call the way a student would write it, as far as its arguments tell: the ones that say
// what was refused (the family of a socket, the pid and signal of a kill), the rest elided.
std::string refused_call(int nr, const unsigned long long (&a)[6]) {
  const auto i = [&](int n) { return static_cast<long long>(static_cast<int>(a[n])); };
  switch (nr) {
    case SYS_socket:
      return fmt::format("socket({}, {}, {})", family_name(a[0]), socket_type_name(a[1]), i(2));
    case SYS_kill:
    case SYS_tkill:
      return fmt::format("{}({}, {})", nr == SYS_kill ? "kill" : "tkill", i(0), signal_name(a[1]));
    case SYS_tgkill:
      return fmt::format("tgkill({}, {}, {})", i(0), i(1), signal_name(a[2]));
    case SYS_rt_sigqueueinfo:
      return fmt::format("rt_sigqueueinfo({}, {}, ...)", i(0), signal_name(a[1]));
    case SYS_rt_tgsigqueueinfo:
      return fmt::format("rt_tgsigqueueinfo({}, {}, {}, ...)", i(0), i(1), signal_name(a[2]));
    case SYS_pidfd_open:
      return fmt::format("pidfd_open({}, {})", i(0), i(1));
    case SYS_process_vm_writev:
      return fmt::format("process_vm_writev({}, ...)", i(0));
    case SYS_ptrace:
      return fmt::format("ptrace({}, {}, ...)", i(0), i(1));
    case SYS_io_uring_setup:
      return fmt::format("io_uring_setup({}, ...)", i(0));
    case SYS_io_uring_enter:
      return fmt::format("io_uring_enter({}, ...)", i(0));
    case SYS_io_uring_register:
      return fmt::format("io_uring_register({}, ...)", i(0));
    case SYS_connect:
      return fmt::format("connect({}, ...)", i(0));
    case SYS_sendto:
      return fmt::format("sendto({}, ...)", i(0));
    case SYS_sendmsg:
      return fmt::format("sendmsg({}, ...)", i(0));
    case SYS_seccomp:
      return fmt::format("seccomp({}, ...)", i(0));
    case SYS_prctl:
      return "prctl(PR_SET_SECCOMP, ...)";
    case SYS_mount:
      return "mount(...)";
    case SYS_umount2:
      return "umount2(...)";
    case SYS_pivot_root:
      return "pivot_root(...)";
    case SYS_unshare:
      return fmt::format("unshare({:#x})", a[0]);
    case SYS_setns:
      return fmt::format("setns({}, {:#x})", i(0), a[1]);
    case SYS_bpf:
      return fmt::format("bpf({}, ...)", i(0));
    case SYS_perf_event_open:
      return "perf_event_open(...)";
    case SYS_userfaultfd:
      return "userfaultfd(...)";
    case SYS_keyctl:
      return fmt::format("keyctl({}, ...)", i(0));
    case SYS_add_key:
      return "add_key(...)";
    case SYS_request_key:
      return "request_key(...)";
    default:
      return fmt::format("syscall {}(...)", nr);
  }
}

// The object a *ctl call would remove or change, or kind 0 for a call that only reads.
std::pair<char, int> changed_object(int nr, const unsigned long long (&a)[6]) {
  const int id = static_cast<int>(a[0]);
  switch (nr) {
    case SYS_msgctl: {
      const int cmd = static_cast<int>(a[1]) & 0xff;  // without IPC_64
      return {cmd == IPC_RMID || cmd == IPC_SET ? 'm' : 0, id};
    }
    case SYS_shmctl: {
      const int cmd = static_cast<int>(a[1]) & 0xff;
      return {cmd == IPC_RMID || cmd == IPC_SET || cmd == SHM_LOCK || cmd == SHM_UNLOCK ? 's' : 0, id};
    }
    case SYS_semctl: {
      const int cmd = static_cast<int>(a[2]) & 0xff;
      return {cmd == IPC_RMID || cmd == IPC_SET || cmd == SETVAL || cmd == SETALL ? 'e' : 0, id};
    }
    default:
      return {0, 0};
  }
}

// The process a call reaches by its pid, for the calls that reach one: signals (kill, tkill, tgkill,
// rt_sigqueueinfo, rt_tgsigqueueinfo), a pidfd (pidfd_open: pidfd_send_signal and pidfd_getfd need one),
// another's memory (process_vm_writev) and ptrace.
std::optional<long> target_pid(int nr, const unsigned long long (&a)[6]) {
  switch (nr) {
    case SYS_kill:
    case SYS_tkill:
    case SYS_tgkill:
    case SYS_rt_sigqueueinfo:
    case SYS_rt_tgsigqueueinfo:
    case SYS_pidfd_open:
    case SYS_process_vm_writev:
      return static_cast<int>(a[0]);
    case SYS_ptrace:
      return static_cast<int>(a[1]);
    default:
      return std::nullopt;
  }
}

// Where a connect, sendto or sendmsg would reach, for a Unix socket address: its path (relative ones
// resolved from the caller's folder), "@" for an abstract name; nullopt when the call names no address
// (a connected socket, a socketpair) or not a Unix one (other families cannot be made here).
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
    if (!msg) return std::nullopt;
    addr = reinterpret_cast<std::uint64_t>(msg->msg_name);
    len = msg->msg_namelen;
  }
  const auto path = read_unix_path(pid, addr, len);
  if (!path || *path == "@") return path;
  return tracee_path(pid, AT_FDCWD, *path);
}

}  // namespace

void refuse_only(pid_t host_pid, int err) {
  user_regs_struct regs;
  if (ptrace(PTRACE_GETREGS, host_pid, nullptr, &regs) != 0) return;
  regs.orig_rax = static_cast<unsigned long long>(-1);
  regs.rax = static_cast<unsigned long long>(-static_cast<long long>(err));
  ptrace(PTRACE_SETREGS, host_pid, nullptr, &regs);
}

std::string filter_refusal_reason(int nr) {
  switch (nr) {
    case SYS_io_uring_setup:
    case SYS_io_uring_enter:
    case SYS_io_uring_register:
      return "io_uring is not allowed: its operations would pass the sandbox's checks on system calls";
    case SYS_seccomp:
    case SYS_prctl:
      return "a seccomp filter of the program's own is not allowed: it would outrank the sandbox's";
    case SYS_socket:
      return "the run has no network: only Unix sockets are allowed";
    case SYS_keyctl:
    case SYS_add_key:
    case SYS_request_key:
      return "the kernel's keyrings are not allowed in the sandbox";
    case SYS_bpf:
    case SYS_perf_event_open:
    case SYS_userfaultfd:
      return "kernel programs, performance counters and userfaultfd are not allowed in the sandbox";
    default:
      return "mounts and namespaces are not allowed in the sandbox";
  }
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

bool Tracer::guard_call(Proc& p, int nr, const unsigned long long (&args)[6]) {
  if (const auto target = target_pid(nr, args)) {
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
  if (nr == SYS_connect || nr == SYS_sendto || nr == SYS_sendmsg) {
    if (const auto where = unix_destination(p.host_pid, nr, args)) {
      // The path as the kernel will follow it; the run cannot make symlinks (Landlock), so a folder of
      // its own cannot lead elsewhere between this check and the call.
      bool inside = false;
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
    resume(p, 0);
    return true;
  }
  const auto object = changed_object(nr, args);
  if (object.first == 0 || created_.count(object) > 0) return false;
  // The IPC call stays in the trace too (checks judge it), with the decoded arguments.
  trace::Event e;
  CallContext ctx{p, next_pipe_};
  decode_entry(ctx, nr, args, e);
  refuse_call(p, nr, args, EPERM, fmt::format("id {} is not an object this run created", object.second),
              trace::format_call(e));
  e.result = -1;
  e.error = EPERM;
  e.args["refused"] = "not an object of this run";
  emit_call(p, std::move(e));
  resume(p, 0);
  return true;
}

}  // namespace ipcgrade::supervise
