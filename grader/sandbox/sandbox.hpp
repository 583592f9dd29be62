#pragma once
#include <sys/types.h>

#include <string>

#include "grader/sandbox/new_root.hpp"
#include "grader/sandbox/run_mounts.hpp"

namespace ipcgrade::sandbox {

// The namespaces one scenario (or the build) runs in, set up by the scenario's supervisor, a freshly
// forked single-threaded child of the grader, as a sequence of named steps:
//   1. enter_namespaces(): new IPC, UTS, network, PID and mount namespaces (inside a new user namespace
//      first when it is not root, or root without CAP_SYS_ADMIN);
//   2. start(): the supervisor's side of the filesystem (RunMounts: the working folder on a tmpfs of the
//      disk limit, a private /dev/shm, the mqueue), then the PID namespace's init, which moves the pids
//      past the small numbers and builds the programs' root (new_root.hpp) in a mount namespace of its
//      own; the programs join that mount namespace (mount_namespace()) before they exec.
//
// Why this shape: the supervisor stays outside the PID namespace and outside the programs' root, so it
// is the parent (and later the tracer) of every student process it starts and still reads /proc and
// the files it needs through its own view, while everything those processes create lives in the run's
// own IPC namespace, which the supervisor shares and can therefore audit and clean. Killing the init
// kills every process of the run, daemons included.
class Sandbox {
 public:
  // First pid handed to student processes: homework protocols use pids as message types, and 1, 2, 3
  // would collide with request types.
  static constexpr pid_t kFirstPid = 1000;

  Sandbox() = default;
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;
  ~Sandbox() { stop(); }

  // Returns false (with a reason in `error`) when the kernel or the privileges refuse a namespace.
  bool enter_namespaces(std::string* error);
  // Returns false with the failed step's name and reason in `error`.
  bool start(RunMounts& mounts, const RootPlan& root, std::string* error);
  // SIGKILLs the init and waits for it: the kernel then kills every process left in the namespace.
  void stop();

  pid_t init_pid() const { return init_pid_; }
  int mount_namespace() const { return mount_ns_; }  // the programs' root; setns() into it
  // Whether the run is in a user namespace of its own: then only the grader's own uid exists in it,
  // and student programs cannot be given another.
  bool own_user_namespace() const { return own_user_namespace_; }
  // The report's `enforced` lines of the root's steps.
  const StepLines& lines() const { return lines_; }

 private:
  pid_t init_pid_ = -1;
  int mount_ns_ = -1;
  bool own_user_namespace_ = false;
  StepLines lines_;
};

}  // namespace ipcgrade::sandbox
