// Tracked mode's stand-in for the namespaces: with no IPC or PID namespace around the run, the
// tracer refuses the calls that would reach the host's objects and processes. Refusing at the
// seccomp stop is exact: the call never runs, and the program sees EPERM as if it lacked permission.
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
#include <optional>

#include "grader/supervise/tracee_memory.hpp"
#include "grader/supervise/tracer.hpp"
#include "grader/supervise/tracer_state.hpp"

namespace ipcgrade::supervise {

namespace {

// Skips the call the process is stopped in: syscall number -1, and `err` as its result.
void refuse(pid_t host_pid, int err) {
  user_regs_struct regs;
  if (ptrace(PTRACE_GETREGS, host_pid, nullptr, &regs) != 0) return;
  regs.orig_rax = static_cast<unsigned long long>(-1);
  regs.rax = static_cast<unsigned long long>(-static_cast<long long>(err));
  ptrace(PTRACE_SETREGS, host_pid, nullptr, &regs);
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
  if (addr == 0 || len <= sizeof(sa_family_t)) return std::nullopt;  // none, or an unnamed socket
  const std::string raw = read_tracee(pid, addr, std::min<std::uint64_t>(len, sizeof(sockaddr_un)));
  sockaddr_un un{};
  std::memcpy(&un, raw.data(), std::min(raw.size(), sizeof un));
  if (un.sun_family != AF_UNIX) return std::nullopt;
  if (un.sun_path[0] == '\0') return std::string("@");
  std::string path(un.sun_path, strnlen(un.sun_path, sizeof un.sun_path));
  if (path[0] != '/') {
    std::error_code ec;
    path = std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/cwd", ec).string() + "/" + path;
  }
  return path;
}

}  // namespace

bool Tracer::guard_call(Proc& p, int nr, const unsigned long long (&args)[6]) {
  if (const auto target = target_pid(nr, args)) {
    // kill(0) is the caller's own process group, which the runner made the run's own; kill(-1) and
    // any pid or group the run never had are someone else's.
    const bool group_calls = nr == SYS_kill;
    const bool allowed = (group_calls && *target == 0) || (*target > 0 && seen_pids_.count(*target) > 0) ||
                         (group_calls && *target < -1 && seen_pids_.count(-*target) > 0);
    if (!allowed) refuse(p.host_pid, EPERM);
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
      if (!inside) refuse(p.host_pid, EPERM);
    }
    resume(p, 0);
    return true;
  }
  const auto object = changed_object(nr, args);
  if (object.first == 0 || created_.count(object) > 0) return false;
  refuse(p.host_pid, EPERM);
  trace::Event e;
  CallContext ctx{p, next_pipe_};
  decode_entry(ctx, nr, args, e);
  e.result = -1;
  e.error = EPERM;
  e.args["refused"] = "not an object of this run";
  emit_call(p, std::move(e));
  resume(p, 0);
  return true;
}

}  // namespace ipcgrade::supervise
