#pragma once
#include <sys/types.h>

#include <string>

#include "grader/supervise/mounts.hpp"

namespace ipcgrade::supervise {

// The namespaces one scenario runs in. Entered by the scenario's supervisor process, a freshly forked
// single-threaded child of the grader: it moves itself into new IPC, UTS, network, PID and mount
// namespaces (inside a new user namespace first when it is not root, or root without CAP_SYS_ADMIN),
// sets up the run's filesystem (see RunMounts) and starts the PID namespace's init.
//
// Why this shape: the supervisor stays outside the PID namespace, so it is the parent (and later the
// tracer) of every student process it starts, while everything those processes create lives in the
// run's own IPC namespace, which the supervisor shares and can therefore audit and clean. Killing the
// init kills every process of the run, daemons included.
class Sandbox {
 public:
  // First pid handed to student processes: homework protocols use pids as message types, and 1, 2, 3
  // would collide with request types.
  static constexpr pid_t kFirstPid = 1000;

  // Returns false (with a reason in `error`) when the kernel or the privileges refuse a namespace.
  bool enter(RunMounts& mounts, std::string* error);
  // SIGKILLs the init and waits for it: the kernel then kills every process left in the namespace.
  void stop();
  ~Sandbox() { stop(); }

  pid_t init_pid() const { return init_pid_; }
  // Whether the run is in a user namespace of its own: then only the grader's own uid exists in it,
  // and student programs cannot be given another.
  bool own_user_namespace() const { return own_user_namespace_; }

 private:
  pid_t init_pid_ = -1;
  bool own_user_namespace_ = false;
};

}  // namespace ipcgrade::supervise
