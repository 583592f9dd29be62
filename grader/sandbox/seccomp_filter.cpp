#include "grader/sandbox/seccomp_filter.hpp"

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

#include "grader/trace/calls.hpp"

namespace ipcgrade::sandbox {

namespace {

void check(int rc, const char* what) {
  if (rc < 0) throw std::runtime_error(std::string("seccomp: ") + what + ": " + std::strerror(-rc));
}

}  // namespace

SeccompFilter::SeccompFilter(bool pipe_io, bool tracked, bool observed) {
  std::unique_ptr<void, void (*)(scmp_filter_ctx)> ctx(seccomp_init(SCMP_ACT_ALLOW), seccomp_release);
  if (!ctx) throw std::runtime_error("seccomp_init failed");
  check(seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ERRNO(ENOSYS)), "bad-arch action");
  // A binary tree over syscall numbers instead of a linear chain: every untraced call of the program
  // (getppid, mmap, ...) runs the filter, so its length is paid on the fast path.
  check(seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, 2), "optimize");
  // Every row of the call table that stops in this mode, with its conditions; a refusal's errno is the
  // rule's data, so that the tracer skips the call and lists it in the report (an ERRNO action would be
  // invisible to it).
  for (const auto& row : trace::call_table()) {
    if (row.guard == trace::Guard::Absent) {
      check(seccomp_rule_add(ctx.get(), SCMP_ACT_ERRNO(ENOSYS), row.nr, 0), "absent call");
      continue;
    }
    if (row.stop == trace::Stop::Never || row.stop == trace::Stop::Named) continue;
    if (row.mode == trace::Mode::Tracked && !tracked) continue;
    // The BPF observer records these without a stop: the filter lets them run.
    if (observed && row.capture != trace::Capture::None) continue;
    if (row.stop == trace::Stop::PipeIo && !pipe_io) continue;
    const std::uint32_t action = SCMP_ACT_TRACE(row.guard == trace::Guard::Refuse ? EPERM : 0);
    if (row.when.empty()) {
      check(seccomp_rule_add(ctx.get(), action, row.nr, 0), "rule");
      continue;
    }
    for (const auto& c : row.when) {
      const auto arg = static_cast<unsigned>(c.arg);
      scmp_arg_cmp cmp{};
      switch (c.op) {
        case trace::Condition::Op::Eq:
          cmp = SCMP_CMP(arg, SCMP_CMP_EQ, c.value);
          break;
        case trace::Condition::Op::Ne:
          cmp = SCMP_CMP(arg, SCMP_CMP_NE, c.value);
          break;
        case trace::Condition::Op::Gt:
          cmp = SCMP_CMP(arg, SCMP_CMP_GT, c.value);
          break;
        case trace::Condition::Op::MaskedEq:
          cmp = SCMP_CMP(arg, SCMP_CMP_MASKED_EQ, c.mask, c.value);
          break;
      }
      check(seccomp_rule_add(ctx.get(), action, row.nr, 1, cmp), "conditional rule");
    }
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

}  // namespace ipcgrade::sandbox
