#pragma once
#include <linux/filter.h>

#include <vector>

namespace ipcgrade::sandbox {

// The seccomp-bpf program that makes only the calls the tracer decodes stop: SysV IPC, pipes and
// descriptor calls, process creation, exit_group — and, when `pipe_io` is set, read and write on
// descriptors above 2 (the BPF compares the first argument, so stdout and stderr stay on the fast
// path). Every other call runs at native speed. The i386 and x32 ABIs are refused with ENOSYS: their
// calls would bypass the tracer. mmap and mremap stop too, so that an allocation refused by the
// memory limit can be named in the report.
//
// With `tracked` (no namespaces around the run) the filter also stands in for what the namespaces
// would give: kill, tkill and tgkill stop so the tracer can refuse signals to processes outside the
// run, and IPv4/IPv6 sockets are refused with EPERM (no network namespace). Every refusal stops at
// the tracer with the errno as the rule's data (SECCOMP_RET_TRACE), so that it is seen and reported.
//
// With `observed` (the BPF observer records the run's calls), the calls the call table gives a
// `capture` do not stop: the observer records them from the kernel. The containment rules (the
// refusals, the ABIs) are the same.
class SeccompFilter {
 public:
  // Built with libseccomp; throws std::runtime_error on failure.
  SeccompFilter(bool pipe_io, bool tracked, bool observed = false);

  // Installs the filter in the calling process: for the child between fork and exec. Uses only raw
  // system calls (no libseccomp code runs after the filter is active). Returns false on failure.
  bool install() const;

 private:
  std::vector<sock_filter> program_;
};

}  // namespace ipcgrade::sandbox
