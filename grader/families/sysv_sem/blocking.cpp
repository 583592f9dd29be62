// What a process blocked in semop waits for: the operation that cannot proceed (read from its memory),
// the semaphore's value now (the supervisor shares the run's IPC namespace), and who ended holding it.
#include <sys/sem.h>
#include <sys/syscall.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "grader/families/family.hpp"
#include "grader/families/tracee_memory.hpp"
#include "grader/trace/sem_holds.hpp"
#include "grader/trace/spelling.hpp"
#include "grader/util/signals.hpp"
#include "grader/util/text.hpp"

namespace ipcgrade::families::sysv_sem {

namespace {

// "set key 0x00005000 (id 3)", from the semget that returned the id; "set 3" when the trace lacks it.
std::string set_name(const trace::Trace& trace, int id) {
  for (auto it = trace.events.rbegin(); it != trace.events.rend(); ++it) {
    if (it->is_call("semget") && it->result && *it->result == id)
      return fmt::format("set key {} (id {})", trace::key_name(it->value("key")), id);
  }
  return fmt::format("set {}", id);
}

// The operations of the semop a process is blocked in, read from its memory.
std::vector<sembuf> blocked_ops(const Blocked& b) {
  const size_t n = std::min<size_t>(b.args[2], trace::kMaxSemOps);
  const std::string bytes = read_tracee(b.host_pid, b.args[1], n * sizeof(sembuf));
  std::vector<sembuf> ops(bytes.size() / sizeof(sembuf));
  if (!ops.empty()) std::memcpy(ops.data(), bytes.data(), ops.size() * sizeof(sembuf));
  return ops;
}

// The processes that ended holding semaphore `num` of set `id`: they took more from it (P without
// SEM_UNDO) than they gave back, and the kernel gives back only what SEM_UNDO recorded. One sentence
// each, or empty.
std::string dead_holders(const trace::Trace& trace, int id, int num, const std::string& set) {
  std::string out;
  for (const auto& h : trace::dead_holds(trace)) {
    if (h.semid != id || h.num != num) continue;
    const trace::Event& exit = *h.exit;
    // A crash of its own (abort(), a bad pointer), another process's kill, or an exit.
    const std::string how = exit.values.count("crash")
                                ? "crashed (" + util::signal_name(static_cast<int>(exit.value("crash"))) + ")"
                            : exit.values.count("signal")
                                ? "was killed by " + util::signal_name(static_cast<int>(exit.value("signal")))
                                : std::string("ended");
    out += fmt::format(
        "; {} {} holding semaphore {} of {} (P{} without V; no SEM_UNDO, so the kernel did not give it back "
        "— with SEM_UNDO it would have)",
        util::process_label(exit.process, exit.pid), how, num, set,
        h.last_p->at.empty() ? std::string() : " at " + h.last_p->at);
  }
  return out;
}

std::string state(const Blocked& b, const std::vector<sembuf>& ops, const std::string& set) {
  const int id = as_int(b.args[0]);
  for (const sembuf& op : ops) {
    const int value = ::semctl(id, op.sem_num, GETVAL);
    if (value < 0) continue;
    if (op.sem_op < 0 && value < -op.sem_op) {
      return fmt::format(
          "waits in semop to take {} from semaphore {} of {} (value {}); no live process will "
          "increase it",
          -op.sem_op, op.sem_num, set, value);
    }
    if (op.sem_op == 0 && value != 0) {
      return fmt::format(
          "waits in semop for semaphore {} of {} to reach 0 (value {}); no live process will "
          "decrease it",
          op.sem_num, set, value);
    }
  }
  return "is blocked in semop on semaphore " + set;
}

}  // namespace

bool waits_on_others(const Blocked&) {
  return true;
}

std::optional<Wait> wait(const Blocked& b, const trace::Trace& trace) {
  if (b.nr != SYS_semop && b.nr != SYS_semtimedop) return std::nullopt;
  const int id = as_int(b.args[0]);
  const std::string set = set_name(trace, id);
  const auto ops = blocked_ops(b);
  Wait w;
  // semop is semtimedop without a timeout.
  w.call = b.nr == SYS_semop || b.args[3] == 0 ? "semop" : "semtimedop";
  w.state = state(b, ops, set);
  w.object = trace::ObjectId::sysv(trace::ObjectId::Kind::Sem, id);
  // Who ended holding what it waits to take: said once, however many wait on it.
  for (const sembuf& op : ops) {
    if (op.sem_op >= 0) continue;
    std::string held = dead_holders(trace, id, op.sem_num, set);
    if (!held.empty()) w.once.push_back(std::move(held));
  }
  return w;
}

std::string why_stuck(const Blocked&, std::span<const Blocked>, const trace::Trace&) {
  return {};
}

}  // namespace ipcgrade::families::sysv_sem
