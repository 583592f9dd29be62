// The call table's rows of the calls tracked mode's guard and the sandbox hold: refused in every mode,
// held to the run's own processes, sockets and objects, or watched for the names they make.
#include <fcntl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "grader/trace/call_rows.hpp"

namespace ipcgrade::trace {

namespace {

using S = Spelling;
using Op = Condition::Op;

constexpr std::string_view kIoUring =
    "io_uring is not allowed: its operations would pass the sandbox's checks on system calls";
constexpr std::string_view kOwnFilter =
    "a seccomp filter of the program's own is not allowed: it would outrank the sandbox's";
constexpr std::string_view kNoNetwork = "the run has no network: only Unix sockets are allowed";
constexpr std::string_view kKeyrings = "the kernel's keyrings are not allowed in the sandbox";
constexpr std::string_view kKernelPrograms =
    "kernel programs, performance counters and userfaultfd are not allowed in the sandbox";
constexpr std::string_view kMounts = "mounts and namespaces are not allowed in the sandbox";
constexpr std::string_view kNamespaces =
    "a namespace of the program's own is not allowed: what it made there would be hidden from the grader";
constexpr std::string_view kUntraced =
    "CLONE_UNTRACED is not allowed: a child the grader cannot follow escapes its limits and its audit";
constexpr std::string_view kOwnerByIoctl =
    "setting a descriptor's owner with ioctl is not allowed in tracked mode: use fcntl(fd, F_SETOWN, pid)";
constexpr std::string_view kSecretMemory =
    "memfd_secret is not allowed: memory the grader cannot read would hide the program's calls from it";
constexpr std::string_view kDumpable =
    "PR_SET_DUMPABLE is not allowed: a process that is not dumpable hides its calls from the grader";

// A refused call: stops only to be refused and listed.
CallRow refused(std::string_view name, int nr, Mode mode, std::string_view why, std::vector<Arg> args) {
  return {.name = name,
          .nr = nr,
          .family = Family::Sandbox,
          .mode = mode,
          .guard = Guard::Refuse,
          .why = why,
          .args = std::move(args)};
}
// A call that reaches another process by its pid: tracked mode holds it to the run's own.
CallRow to_pid(std::string_view name, int nr, int pid_arg, std::vector<Arg> args) {
  return {.name = name,
          .nr = nr,
          .family = Family::Signals,
          .mode = Mode::Tracked,
          .guard = Guard::RunPid,
          .pid_arg = pid_arg,
          .args = std::move(args)};
}
// A call that makes a name: tracked mode watches it. Its arguments say where the name is: the Path
// argument, taken from the DirFd argument before it (none: the current folder), or a SockAddr.
CallRow naming(std::string_view name, int nr, std::vector<Arg> args, std::vector<Condition> when = {}) {
  const Stop stop = when.empty() ? Stop::Always : Stop::When;
  return {.name = name,
          .nr = nr,
          .family = Family::Names,
          .stop = stop,
          .mode = Mode::Tracked,
          .when = std::move(when),
          .exit = Exit::Always,
          .guard = Guard::Name,
          .args = std::move(args)};
}
}  // namespace

std::vector<CallRow> guard_rows() {
  return {
      // Refused in every mode. io_uring runs operations (socket, connect, openat) in the kernel without
      // their system calls, past any rule on those calls; a filter of the program's own would outrank
      // the sandbox's (and none can exist before this refusal).
      refused("io_uring_setup", SYS_io_uring_setup, Mode::Every, kIoUring, {{"entries"}, kElided}),
      refused("io_uring_enter", SYS_io_uring_enter, Mode::Every, kIoUring, {{"fd"}, kElided}),
      refused("io_uring_register", SYS_io_uring_register, Mode::Every, kIoUring, {{"fd"}, kElided}),
      refused("seccomp", SYS_seccomp, Mode::Every, kOwnFilter, {{"operation"}, kElided}),
      refused("memfd_secret", SYS_memfd_secret, Mode::Every, kSecretMemory, {{"flags", S::Hex}}),
      {.name = "prctl",
       .nr = SYS_prctl,
       .family = Family::Sandbox,
       .stop = Stop::When,
       .when = {{0, Op::Eq, PR_SET_SECCOMP}, {0, Op::Eq, PR_SET_DUMPABLE}},
       .guard = Guard::Refuse,
       .why = kOwnFilter,
       .args = {{"option", S::PrctlOption}, kElided}},
      // Tracked mode's guard: what the namespaces would have held.
      to_pid("kill", SYS_kill, 0, {{"pid"}, {"sig", S::Signal}}),
      to_pid("tkill", SYS_tkill, 0, {{"tid"}, {"sig", S::Signal}}),
      to_pid("tgkill", SYS_tgkill, 0, {{"tgid"}, {"tid"}, {"sig", S::Signal}}),
      to_pid("rt_sigqueueinfo", SYS_rt_sigqueueinfo, 0, {{"pid"}, {"sig", S::Signal}, kElided}),
      to_pid("rt_tgsigqueueinfo", SYS_rt_tgsigqueueinfo, 0, {{"tgid"}, {"tid"}, {"sig", S::Signal}, kElided}),
      to_pid("pidfd_open", SYS_pidfd_open, 0, {{"pid"}, {"flags"}}),
      {.name = "pidfd_send_signal",
       .nr = SYS_pidfd_send_signal,
       .family = Family::Signals,
       .mode = Mode::Tracked,
       .guard = Guard::RunPidFd,
       .args = {{"pidfd"}, {"sig", S::Signal}, kElided}},
      {.name = "pidfd_getfd",
       .nr = SYS_pidfd_getfd,
       .family = Family::Signals,
       .mode = Mode::Tracked,
       .guard = Guard::RunPidFd,
       .args = {{"pidfd"}, {"targetfd"}, kElided}},
      // A descriptor's owner set through ioctl (the pid is in memory): refused, fcntl(F_SETOWN) is judged.
      {.name = "ioctl",
       .nr = SYS_ioctl,
       .family = Family::Signals,
       .stop = Stop::When,
       .mode = Mode::Tracked,
       .when = {{1, Op::Eq, FIOSETOWN}, {1, Op::Eq, SIOCSPGRP}},
       .guard = Guard::Refuse,
       .why = kOwnerByIoctl,
       .args = {{"fd"}, {"request", S::Hex}, kElided}},
      to_pid("process_vm_writev", SYS_process_vm_writev, 0, {{"pid"}, kElided}),
      to_pid("ptrace", SYS_ptrace, 1, {{"request"}, {"pid"}, kElided}),
      refused("mount", SYS_mount, Mode::Every, kMounts, {kElided}),
      refused("umount2", SYS_umount2, Mode::Every, kMounts, {kElided}),
      refused("pivot_root", SYS_pivot_root, Mode::Every, kMounts, {kElided}),
      refused("unshare", SYS_unshare, Mode::Every, kNamespaces, {{"flags", S::Hex}}),
      refused("setns", SYS_setns, Mode::Every, kNamespaces, {{"fd"}, {"nstype", S::Hex}}),
      refused("bpf", SYS_bpf, Mode::Every, kKernelPrograms, {{"cmd"}, kElided}),
      refused("perf_event_open", SYS_perf_event_open, Mode::Every, kKernelPrograms, {kElided}),
      refused("userfaultfd", SYS_userfaultfd, Mode::Every, kKernelPrograms, {kElided}),
      refused("keyctl", SYS_keyctl, Mode::Every, kKeyrings, {{"operation"}, kElided}),
      refused("add_key", SYS_add_key, Mode::Every, kKeyrings, {kElided}),
      refused("request_key", SYS_request_key, Mode::Every, kKeyrings, {kElided}),
      {.name = "socket",
       .nr = SYS_socket,
       .family = Family::Sockets,
       .stop = Stop::When,
       .mode = Mode::Tracked,
       .when = {{0, Op::Ne, AF_UNIX}},
       .guard = Guard::Refuse,
       .why = kNoNetwork,
       .args = {{"domain", S::SocketFamily}, {"type", S::SocketType}, {"protocol"}}},
      {.name = "connect",
       .nr = SYS_connect,
       .family = Family::Sockets,
       .mode = Mode::Tracked,
       .guard = Guard::SocketPath,
       .args = {{"fd"}, kElided}},
      {.name = "sendto",
       .nr = SYS_sendto,
       .family = Family::Sockets,
       .stop = Stop::When,
       .mode = Mode::Tracked,
       .when = {{4, Op::Ne, 0}},
       .guard = Guard::SocketPath,
       .args = {{"fd"}, kElided}},
      {.name = "sendmsg",
       .nr = SYS_sendmsg,
       .family = Family::Sockets,
       .mode = Mode::Tracked,
       .guard = Guard::SocketPath,
       .args = {{"fd"}, kElided}},
      // Names the run makes: found and removed at the end when outside the run's folders (where
      // Landlock does not hold writes). The opens, mknod and link are above, recorded in every mode.
      naming("creat", SYS_creat, {kPath, kMode}),
      naming("openat2", SYS_openat2, {kDirFd, kPath, {"how", S::Elided}}),
      naming("mkdir", SYS_mkdir, {kPath, kMode}),
      naming("mkdirat", SYS_mkdirat, {kDirFd, kPath, kMode}),
      naming("symlink", SYS_symlink, {{"target", S::Elided}, {"linkpath", S::Path}}),
      naming("symlinkat", SYS_symlinkat,
             {{"target", S::Elided}, {"newdirfd", S::DirFd}, {"linkpath", S::Path}}),
      naming("rename", SYS_rename, {{"oldpath", S::Elided}, {"newpath", S::Path}}),
      naming("renameat", SYS_renameat,
             {{"olddirfd", S::DirFd}, {"oldpath", S::Elided}, {"newdirfd", S::DirFd}, {"newpath", S::Path}}),
      naming("renameat2", SYS_renameat2,
             {{"olddirfd", S::DirFd},
              {"oldpath", S::Elided},
              {"newdirfd", S::DirFd},
              {"newpath", S::Path},
              {"flags"}}),
      naming("bind", SYS_bind, {{"sockfd"}, {"addr", S::SockAddr}, {"addrlen"}}),
  };
}

std::string_view refusal_reason(const CallRow& row, const unsigned long long (&args)[6]) {
  if (row.nr == SYS_prctl && args[0] == PR_SET_DUMPABLE) return kDumpable;
  if (row.nr == SYS_clone) return (args[0] & CLONE_UNTRACED) ? kUntraced : kNamespaces;
  return row.why;
}

unsigned long long refused_clone_flags() {
  return CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID |
         CLONE_NEWNET | CLONE_UNTRACED;
}

}  // namespace ipcgrade::trace
