#include "grader/supervise/seccomp_filter.hpp"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fcntl.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

namespace ipcgrade::supervise {

namespace {

// The calls the tracer decodes; see grader/supervise/tracer.cpp.
constexpr int kTraced[] = {
    SCMP_SYS(msgget),
    SCMP_SYS(msgsnd),
    SCMP_SYS(msgrcv),
    SCMP_SYS(msgctl),
    SCMP_SYS(shmget),
    SCMP_SYS(shmat),
    SCMP_SYS(shmdt),
    SCMP_SYS(shmctl),
    SCMP_SYS(semget),
    SCMP_SYS(semop),
    SCMP_SYS(semtimedop),
    SCMP_SYS(semctl),
    SCMP_SYS(pipe),
    SCMP_SYS(pipe2),
    SCMP_SYS(close),
    SCMP_SYS(close_range),
    SCMP_SYS(dup),
    SCMP_SYS(dup2),
    SCMP_SYS(dup3),
    SCMP_SYS(fork),
    SCMP_SYS(vfork),
    SCMP_SYS(clone),
    SCMP_SYS(clone3),
    SCMP_SYS(exit_group),
    // Timers, so that the deadlock watchdog knows which processes one will wake.
    SCMP_SYS(alarm),
    SCMP_SYS(setitimer),
    SCMP_SYS(timer_settime),
    SCMP_SYS(timerfd_settime),
    // Allocations, for naming the memory limit when one is refused (see Tracer::memory_refusals).
    SCMP_SYS(mmap),
    SCMP_SYS(mremap),
};

void check(int rc, const char* what) {
  if (rc < 0) throw std::runtime_error(std::string("seccomp: ") + what + ": " + std::strerror(-rc));
}

}  // namespace

SeccompFilter::SeccompFilter(bool pipe_io, bool tracked) {
  std::unique_ptr<void, void (*)(scmp_filter_ctx)> ctx(seccomp_init(SCMP_ACT_ALLOW), seccomp_release);
  if (!ctx) throw std::runtime_error("seccomp_init failed");
  check(seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ERRNO(ENOSYS)), "bad-arch action");
  // A binary tree over syscall numbers instead of a linear chain: every untraced call of the program
  // (getppid, mmap, ...) runs the filter, so its length is paid on the fast path.
  check(seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, 2), "optimize");
  for (int nr : kTraced) check(seccomp_rule_add(ctx.get(), SCMP_ACT_TRACE(0), nr, 0), "rule");
  // fcntl only where it changes the descriptor table (close-on-exec, duplicates): libc calls it often
  // for other things.
  for (const int cmd : {F_SETFD, F_DUPFD, F_DUPFD_CLOEXEC}) {
    check(seccomp_rule_add(ctx.get(), SCMP_ACT_TRACE(0), SCMP_SYS(fcntl), 1,
                           SCMP_A1(SCMP_CMP_EQ, static_cast<scmp_datum_t>(cmd))),
          "fcntl rule");
  }
  if (pipe_io) {
    check(seccomp_rule_add(ctx.get(), SCMP_ACT_TRACE(0), SCMP_SYS(read), 1, SCMP_A0(SCMP_CMP_GT, 2)),
          "read rule");
    check(seccomp_rule_add(ctx.get(), SCMP_ACT_TRACE(0), SCMP_SYS(write), 1, SCMP_A0(SCMP_CMP_GT, 2)),
          "write rule");
  }
  // Refusals stop at the tracer too, with the errno as the filter's data: the tracer skips the call,
  // returns the errno and lists the refusal in the report (an ERRNO action would be invisible to it).
  // io_uring runs operations (socket, connect, openat) in the kernel without their system calls, past
  // any filter on those calls: refused in every mode.
  for (int nr : {SCMP_SYS(io_uring_setup), SCMP_SYS(io_uring_enter), SCMP_SYS(io_uring_register)})
    check(seccomp_rule_add(ctx.get(), SCMP_ACT_TRACE(EPERM), nr, 0), "io_uring rule");
  // A filter of the program's own would outrank these rules (SECCOMP_RET_USER_NOTIF, or a TRACE whose
  // data replaces the errno): installing one is refused in every mode. This refusal cannot be undone,
  // since no filter of the program's can exist before it.
  check(seccomp_rule_add(ctx.get(), SCMP_ACT_TRACE(EPERM), SCMP_SYS(seccomp), 0), "seccomp rule");
  check(seccomp_rule_add(ctx.get(), SCMP_ACT_TRACE(EPERM), SCMP_SYS(prctl), 1,
                         SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(PR_SET_SECCOMP))),
        "prctl rule");
  if (tracked) {
    // Calls that reach another process by its pid: the guard lets them through for the run's own.
    for (int nr :
         {SCMP_SYS(kill), SCMP_SYS(tkill), SCMP_SYS(tgkill), SCMP_SYS(rt_sigqueueinfo),
          SCMP_SYS(rt_tgsigqueueinfo), SCMP_SYS(pidfd_open), SCMP_SYS(process_vm_writev), SCMP_SYS(ptrace)})
      check(seccomp_rule_add(ctx.get(), SCMP_ACT_TRACE(0), nr, 0), "signal rule");
    // What no homework needs and a sandbox without namespaces must not allow: mounts and namespaces,
    // kernel programs and keyrings.
    for (int nr : {SCMP_SYS(mount), SCMP_SYS(umount2), SCMP_SYS(pivot_root), SCMP_SYS(unshare),
                   SCMP_SYS(setns), SCMP_SYS(bpf), SCMP_SYS(perf_event_open), SCMP_SYS(userfaultfd),
                   SCMP_SYS(keyctl), SCMP_SYS(add_key), SCMP_SYS(request_key)})
      check(seccomp_rule_add(ctx.get(), SCMP_ACT_TRACE(EPERM), nr, 0), "refusal rule");
    // Sockets: Unix ones only, and the guard checks where they connect or send to (a path inside the
    // run's folders, never the host's sockets or an abstract name).
    check(seccomp_rule_add(ctx.get(), SCMP_ACT_TRACE(EPERM), SCMP_SYS(socket), 1,
                           SCMP_A0(SCMP_CMP_NE, static_cast<scmp_datum_t>(AF_UNIX))),
          "socket rule");
    check(seccomp_rule_add(ctx.get(), SCMP_ACT_TRACE(0), SCMP_SYS(connect), 0), "connect rule");
    check(seccomp_rule_add(ctx.get(), SCMP_ACT_TRACE(0), SCMP_SYS(sendmsg), 0), "sendmsg rule");
    check(seccomp_rule_add(ctx.get(), SCMP_ACT_TRACE(0), SCMP_SYS(sendto), 1, SCMP_A4(SCMP_CMP_NE, 0)),
          "sendto rule");
    // Calls that make a name, so that one made outside the run's folders (where Landlock does not
    // hold writes) is found and removed at the end; opens only with O_CREAT, the rest are rare.
    check(seccomp_rule_add(ctx.get(), SCMP_ACT_TRACE(0), SCMP_SYS(open), 1,
                           SCMP_A1(SCMP_CMP_MASKED_EQ, O_CREAT, O_CREAT)),
          "open rule");
    check(seccomp_rule_add(ctx.get(), SCMP_ACT_TRACE(0), SCMP_SYS(openat), 1,
                           SCMP_A2(SCMP_CMP_MASKED_EQ, O_CREAT, O_CREAT)),
          "openat rule");
    for (int nr :
         {SCMP_SYS(creat), SCMP_SYS(openat2), SCMP_SYS(mknod), SCMP_SYS(mknodat), SCMP_SYS(mkdir),
          SCMP_SYS(mkdirat), SCMP_SYS(symlink), SCMP_SYS(symlinkat), SCMP_SYS(link), SCMP_SYS(linkat),
          SCMP_SYS(rename), SCMP_SYS(renameat), SCMP_SYS(renameat2), SCMP_SYS(bind)})
      check(seccomp_rule_add(ctx.get(), SCMP_ACT_TRACE(0), nr, 0), "naming rule");
  }
  // Export the BPF once, here; the child installs it with a bare system call.
  const int fd = memfd_create("ipcgrade-seccomp", MFD_CLOEXEC);
  if (fd < 0) throw std::runtime_error("memfd_create failed");
  check(seccomp_export_bpf(ctx.get(), fd), "export");
  const off_t size = lseek(fd, 0, SEEK_END);
  program_.resize(static_cast<size_t>(size) / sizeof(sock_filter));
  const ssize_t n = pread(fd, program_.data(), static_cast<size_t>(size), 0);
  close(fd);
  if (n != size || program_.empty()) throw std::runtime_error("seccomp: cannot read the exported filter");
}

bool SeccompFilter::install() const {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return false;
  sock_fprog prog{static_cast<unsigned short>(program_.size()), const_cast<sock_filter*>(program_.data())};
  // SPEC_ALLOW: without it the kernel turns on the speculative-store-bypass mitigation for the
  // program, slowing all of its code; the filter is an observer, not a security boundary.
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_SPEC_ALLOW, &prog) == 0) return true;
  return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0;
}

}  // namespace ipcgrade::supervise
