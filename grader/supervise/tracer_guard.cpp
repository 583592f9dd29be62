// Tracked mode's stand-in for the namespaces: with no IPC or PID namespace around the run, the
// tracer refuses the calls that would reach the host's objects and processes. Refusing at the
// seccomp stop is exact: the call never runs, and the program sees EPERM as if it lacked permission.
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/ptrace.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/user.h>

#include <cerrno>
#include <cstdlib>
#include <optional>

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

}  // namespace

bool Tracer::guard_call(Proc& p, int nr, const unsigned long long (&args)[6]) {
  if (const auto target = target_pid(nr, args)) {
    // kill(0) is the caller's own process group, which the runner made the run's own; kill(-1) and
    // any pid or group the run never had are someone else's.
    const bool group_calls = nr == SYS_kill;
    const bool allowed = (group_calls && *target == 0) ||
                         (*target > 0 && seen_pids_.count(*target) > 0) ||
                         (group_calls && *target < -1 && seen_pids_.count(-*target) > 0);
    if (!allowed) refuse(p.host_pid, EPERM);
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
