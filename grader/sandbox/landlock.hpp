#pragma once
#include <string>
#include <vector>

namespace ipcgrade::sandbox {

// A Landlock domain for one program: the unprivileged way to hold files and TCP where namespaces are
// refused (tracked mode), and a second wall behind the sandbox's root in namespaces mode. Built in the
// supervisor (paths, the kernel's ABI), enforced by the program itself between fork and exec.
//
// What it holds, by the kernel's ABI (probed once): ABI 1-3 files — reads and runs only under
// `read_only` (the system folders), reads and writes only under `read_write` (the working folder, the
// run's private temporary folder, /dev/shm) and the device files of `devices`; ABI 4 and later also TCP —
// bind and connect refused. Signals and abstract Unix sockets are not scoped: a Landlock scope is one
// domain per program here, and the run's separately started programs signal each other (the tracer
// holds signals to the outside in tracked mode).
class Landlock {
 public:
  std::vector<std::string> read_only;
  std::vector<std::string> read_write;
  std::vector<std::string> devices;
  // The POSIX message-queue filesystem, where mq_open opens its queues: its files may be read and
  // written (opened), no more — a queue is made and removed by mq_open and mq_unlink, which Landlock
  // does not see, never by open() of /dev/mqueue/NAME. By path, or by an open descriptor of a root that
  // is mounted nowhere the run can see.
  std::vector<std::string> queues;
  std::vector<int> queue_fds;
  // Whether the run may make symbolic links in its folders. Not in tracked mode: there a link in the
  // working folder could lead the tracer's checks of socket paths elsewhere.
  bool symlinks = true;

  // The kernel's Landlock ABI version; 0 when it has none (or it is disabled).
  static int abi();
  // An O_PATH descriptor of the root of the caller's IPC namespace's message-queue filesystem, for
  // queue_fds where no mqueue filesystem is mounted at /dev/mqueue: mounted on `dir` (an empty
  // folder), opened, and unmounted at once. -1 when it cannot be mounted (no CAP_SYS_ADMIN).
  static int mqueue_root(const std::string& dir);
  // For the report's `enforced`: what this domain holds on this kernel.
  std::string describe() const;
  // In the child, after fork: restricts the calling process and whatever it execs. Only system calls;
  // false with errno set when the kernel refused (a kernel without Landlock is not a failure).
  bool restrict_self() const;
};

}  // namespace ipcgrade::sandbox
