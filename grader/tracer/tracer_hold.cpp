// Holding the run still while a guarded argument is judged. A guard that reads an address from the
// program's memory (a Unix socket's path) and then lets the call run judges bytes another thread, or a
// process sharing the memory, could change between the check and the kernel's own copy: a second
// thread flipping `sun_path` from a name in the working folder to the host's socket wins within a few
// dozen tries. So every other task of the run is stopped before the argument is read, and stays stopped
// until the kernel has copied it: the call's exit, or the caller asleep inside the call (a connect
// waiting for room in a backlog), which the copy precedes.
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "grader/tracer/tracer.hpp"
#include "grader/tracer/tracer_state.hpp"
#include "grader/util/procfs.hpp"

namespace ipcgrade::tracer {

namespace {

using Clock = std::chrono::steady_clock;

// The scheduler state of a task ('R', 'S', 'D', 't', ...), from /proc/TID/stat; 0 when it is gone.
char task_state(pid_t tid) {
  const auto fields = util::proc_stat_fields(std::to_string(tid));
  return fields.empty() || fields[0].empty() ? 0 : fields[0][0];
}

// Where a sleeping task sleeps: a task in a page fault that a userfaultfd handler resolves (a thread
// of the run, held) is inside the copy, not past it.
bool in_user_fault(pid_t tid) {
  return util::read_proc_file(fmt::format("/proc/{}/wchan", tid)).find("userfault") != std::string::npos;
}

}  // namespace

bool Tracer::hold_others(const Proc& p) {
  std::set<pid_t> asked;
  for (const auto& [host, q] : procs_) {
    if (host == p.host_pid) continue;
    if (held_stop(host) != held_.end()) continue;  // already stopped, by a schedule perturbation
    if (ptrace(PTRACE_INTERRUPT, host, nullptr, nullptr) == 0) asked.insert(host);
  }
  // Each stop (or end) is kept for the supervisor's loop, which handles it as if it had just come: the
  // task stays where it stopped until then. A task that does not stop within the deadline but sleeps
  // uninterruptibly (a vfork parent waiting for its child) runs no code of its own meanwhile.
  const auto deadline = Clock::now() + std::chrono::milliseconds(200);
  while (!asked.empty()) {
    for (auto it = asked.begin(); it != asked.end();) {
      int status = 0;
      const pid_t got = ::waitpid(*it, &status, __WALL | WNOHANG);
      if (got == *it) {
        deferred_.emplace_back(got, status);
        it = asked.erase(it);
      } else if (got < 0 && errno == ECHILD) {
        it = asked.erase(it);  // gone and collected
      } else {
        ++it;
      }
    }
    if (asked.empty() || Clock::now() >= deadline) break;
    ::usleep(100);
  }
  for (const pid_t host : asked) {
    const char state = task_state(host);
    if (state != 0 && state != 'D' && state != 'Z' && state != 'X') return false;
  }
  return true;
}

void Tracer::resume_past_copy(Proc& p) {
  // Resumed to its exit, which the supervisor's loop then handles like any other.
  if (!p.pending) p.pending = Pending{};
  if (ptrace(PTRACE_SYSCALL, p.host_pid, nullptr, nullptr) != 0) return;
  const auto deadline = Clock::now() + std::chrono::seconds(1);
  while (Clock::now() < deadline) {
    int status = 0;
    const pid_t got = ::waitpid(p.host_pid, &status, __WALL | WNOHANG);
    if (got == p.host_pid) {
      deferred_.emplace_back(got, status);
      return;
    }
    if (got < 0 && errno != EINTR) return;
    const char state = task_state(p.host_pid);
    if (state == 0 || (state == 'S' && !in_user_fault(p.host_pid))) return;
    ::usleep(50);
  }
}

bool Tracer::take_deferred(pid_t& host_pid, int& status) {
  if (deferred_.empty()) return false;
  std::tie(host_pid, status) = deferred_.front();
  deferred_.erase(deferred_.begin());
  return true;
}

}  // namespace ipcgrade::tracer
