// The tracer under a schedule perturbation: which stops are held, a parent and its new child started
// together on CPUs apart, the held stops resumed when due.
#include "grader/tracer/tracer.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <sys/syscall.h>

#include <sys/ipc.h>
#include <algorithm>

#include "grader/families/decoders.hpp"
#include "grader/families/tracee_memory.hpp"
#include "grader/sandbox/spawn.hpp"
#include "grader/trace/ipc_kind.hpp"
#include "grader/tracer/message_structs.hpp"
#include "grader/tracer/tracer_state.hpp"
#include "grader/util/cpus.hpp"
#include "grader/util/fingerprint.hpp"
#include "grader/util/procfs.hpp"
#include "grader/util/text.hpp"
#include "grader/util/units.hpp"

namespace ipcgrade::tracer {

void Tracer::set_chaos(std::uint64_t seed, std::vector<int> spread) {
  chaos_ = seed;
  spread_ = std::move(spread);
}

void Tracer::resume_perturbed(Proc& p, unsigned odds, unsigned longest_ms) {
  if (!chaos_) {
    resume(p, 0);
    return;
  }
  // Each draw is a function of the seed, the process (its name and index) and how many of its own stops
  // were drawn for before: not of the order in which the run's processes happened to stop. So the
  // failing run's seed (--seed S --runs 1) perturbs each process as it did.
  const std::uint64_t draw = util::Fingerprint()
                                 .add(std::to_string(*chaos_))
                                 .add(p.name)
                                 .add(std::to_string(p.index))
                                 .add(std::to_string(p.perturb_draws++))
                                 .value();
  if (holds_[p.host_pid] >= kChaosHolds || draw % odds != 0) {
    resume(p, 0);
    return;
  }
  ++holds_[p.host_pid];
  const auto ms = 1 + (draw >> 20) % longest_ms;
  held_.push_back({std::chrono::steady_clock::now() + std::chrono::milliseconds(ms), p.host_pid,
                   p.pending ? PTRACE_SYSCALL : PTRACE_CONT});
}

std::optional<std::chrono::steady_clock::time_point> Tracer::next_held() const {
  std::optional<std::chrono::steady_clock::time_point> next;
  for (const auto& h : held_) {
    if (!next || h.at < *next) next = h.at;
  }
  return next;
}

// Under a schedule perturbation, a parent and the child it just made go on at the same moment: whichever
// side stops first (the parent at its fork event, the child at its initial stop) waits for the other, at
// most 50 ms, and then both are resumed together. Resuming either at once would let it run ahead: a
// parent adding 40,000 times to a shared counter finishes before its child starts, and the race between
// them is never seen. `parent` is 0 for the child's side.
std::vector<Tracer::Held>::iterator Tracer::held_stop(pid_t host_pid) {
  return std::find_if(held_.begin(), held_.end(), [&](const Held& h) { return h.host_pid == host_pid; });
}

void Tracer::start_together(pid_t child, pid_t parent) {
  auto release = [&](pid_t who) {
    const auto it = held_stop(who);
    if (it != held_.end()) {
      ptrace(static_cast<__ptrace_request>(it->request), who, nullptr, nullptr);
      held_.erase(it);
    }
  };
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(50);
  if (parent == 0) {  // the child's initial stop
    const auto waiting = fork_parent_.find(child);
    Proc& c = proc(child);
    if (waiting != fork_parent_.end()) {
      const pid_t p = waiting->second;
      fork_parent_.erase(waiting);
      resume(c, 0);
      release(p);
    } else {
      early_children_.insert(child);
      held_.push_back({until, child, c.pending ? PTRACE_SYSCALL : PTRACE_CONT});
    }
    return;
  }
  Proc& p = proc(parent);
  if (early_children_.erase(child) > 0) {
    release(child);
    resume(p, 0);
  } else {
    fork_parent_[child] = parent;
    held_.push_back({until, parent, p.pending ? PTRACE_SYSCALL : PTRACE_CONT});
  }
}

void Tracer::resume_due() {
  if (ending_) return;
  const auto now = std::chrono::steady_clock::now();
  for (auto it = held_.begin(); it != held_.end();) {
    if (it->at > now) {
      ++it;
      continue;
    }
    // A process killed meanwhile is gone: ESRCH.
    ptrace(static_cast<__ptrace_request>(it->request), it->host_pid, nullptr, nullptr);
    it = held_.erase(it);
  }
}

}  // namespace ipcgrade::tracer
