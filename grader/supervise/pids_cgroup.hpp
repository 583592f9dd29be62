#pragma once
#include <sys/types.h>

#include <string>

namespace ipcgrade::supervise {

// A pids cgroup for one scenario (cgroup v1 `pids` hierarchy, or cgroup v2 where the grader's own
// cgroup delegates `pids`), so that `limits.processes` bounds the live processes of the whole run: a
// fork bomb gets EAGAIN instead of the grading host's pids. Where no such cgroup can be made (no
// root, no delegation), `enabled()` is false and the limit is not enforced by a cgroup.
class PidsCgroup {
 public:
  PidsCgroup(int max_processes, const std::string& name);
  ~PidsCgroup();
  PidsCgroup(const PidsCgroup&) = delete;
  PidsCgroup& operator=(const PidsCgroup&) = delete;

  bool enabled() const { return !dir_.empty(); }
  void add(pid_t pid) const;  // before the process runs anything: its children inherit the cgroup
  bool limit_hit() const;     // a fork was refused because of the limit
  const std::string& why_not() const { return why_not_; }

 private:
  std::string dir_;
  std::string why_not_;
};

}  // namespace ipcgrade::supervise
