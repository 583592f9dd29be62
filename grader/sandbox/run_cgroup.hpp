#pragma once
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ipcgrade::sandbox {

// The cgroups of one scenario: `pids` (so `limits.processes` bounds the live processes of the whole
// run and a fork bomb gets EAGAIN instead of the host's pids) and `memory` (so the run's resident
// memory, shared memory it touched included, stays under `limits.memory`). Made in the cgroup v1
// hierarchy of each controller, or in the grader's own cgroup v2 when it delegates the controller.
// A controller that cannot be used (no root, no delegation) is simply absent: `enforcer()` says
// what enforces each limit, for the report.
class RunCgroup {
 public:
  RunCgroup(int max_processes, std::uint64_t max_memory, const std::string& name);
  ~RunCgroup();
  RunCgroup(const RunCgroup&) = delete;
  RunCgroup& operator=(const RunCgroup&) = delete;

  void add(pid_t pid) const;      // before the process runs anything: its children inherit the cgroups
  bool pids_limit_hit() const;    // a fork was refused because of the limit
  bool memory_limit_hit() const;  // the kernel's OOM killer ended a process of the run
  // "pids cgroup v1", "memory cgroup v2", or "" when the controller is not in use.
  const std::string& pids_enforcer() const { return pids_.enforcer; }
  const std::string& memory_enforcer() const { return memory_.enforcer; }
  // Every process still in the run's cgroup (tracked mode: daemons that escaped their parents).
  std::vector<pid_t> members() const;

 private:
  struct Controller {
    std::string dir;
    std::string enforcer;
  };
  Controller pids_, memory_;
};

}  // namespace ipcgrade::sandbox
