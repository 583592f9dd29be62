#include "grader/tracer/watchdog.hpp"

#include "grader/families/blocked.hpp"
#include "grader/util/procfs.hpp"

#include <sys/syscall.h>

#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <set>
#include <sstream>
#include <vector>

namespace ipcgrade::tracer {

namespace {

using families::Blocked;

// Reads state, CPU time and the current system call of a process; nullopt when it is not asleep
// in a system call (running, in the disk wait, stopped, gone). The fingerprint changes whenever the
// process makes progress.
std::optional<std::pair<Blocked, std::string>> read_blocked(const Tracer::Live& p) {
  const std::string pid = std::to_string(p.host_pid);
  const std::vector<std::string> stat = util::proc_stat_fields(pid);
  // state (field 3) ... utime and stime (fields 14 and 15)
  if (stat.size() < 13 || stat[0] != "S") return std::nullopt;
  std::istringstream sc(util::read_proc_file("/proc/" + pid + "/syscall"));
  Blocked b{.host_pid = p.host_pid, .pid = p.pid, .name = p.name, .thread = p.thread, .fds = p.fds};
  if (!(sc >> b.nr) || b.nr < 0) return std::nullopt;
  for (auto& a : b.args) {
    std::string hex;
    sc >> hex;
    a = std::strtoull(hex.c_str(), nullptr, 16);
  }
  const auto status = util::proc_status(pid);
  const auto switches = status.find("voluntary_ctxt_switches");
  std::string fingerprint = fmt::format("{}|{}|{}|{}|{}|{}", b.nr, b.args[0], b.args[1], stat[11], stat[12],
                                        switches == status.end() ? std::string() : switches->second);
  return std::pair{std::move(b), std::move(fingerprint)};
}

}  // namespace

std::optional<std::string> Watchdog::sample(const Tracer& tracer) {
  const auto live = tracer.live();
  std::vector<Blocked> blocked;
  std::map<pid_t, std::string> seen;
  bool stuck = !live.empty();
  for (const auto& p : live) {
    auto read = read_blocked(p);
    if (!read || p.timer_pending || !families::waits_on_others(read->first)) {
      stuck = false;
      break;
    }
    const Blocked& b = read->first;
    // pause and sigwait wait for a signal whatever the children do; a shell's sigsuspend waits for its
    // children (SIGCHLD).
    if (terminal_ && (b.nr == SYS_pause || b.nr == SYS_rt_sigtimedwait ||
                      (b.nr == SYS_rt_sigsuspend && !families::has_live_child(tracer.trace(), p.pid)))) {
      if (!p.thread && !signal_wait_) signal_wait_ = b.who();
      stuck = false;
      break;
    }
    seen[p.host_pid] = read->second;
    blocked.push_back(std::move(read->first));
  }
  const size_t events = tracer.trace().events.size();
  const bool unchanged = stuck && seen == previous_ && events == previous_events_;
  previous_ = stuck ? seen : std::map<pid_t, std::string>{};
  previous_events_ = events;
  if (!unchanged) return std::nullopt;
  const trace::Trace& trace = tracer.trace();
  std::vector<families::Wait> waits;
  for (const auto& b : blocked) waits.push_back(families::wait_of(b, trace));
  // Those blocked on a pipe, a queue or a FIFO first: theirs is the explanation a student needs.
  std::vector<size_t> order(blocked.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return waits[a].first && !waits[b].first; });
  std::vector<Blocked> all;
  for (const size_t i : order) all.push_back(blocked[i]);
  std::string explanation;
  std::set<std::string> read_first;  // FIFOs opened for reading by processes that wait for a writer
  blocked_.clear();
  for (const size_t i : order) {
    const Blocked& b = blocked[i];
    const families::Wait& w = waits[i];
    if (b.thread) continue;
    blocked_.push_back({b.pid, w.call, w.object});
    explanation +=
        (explanation.empty() ? "" : "; ") + b.who() + " " + w.state + families::why_stuck(b, all, trace);
    if (!w.fifo_read_first.empty()) read_first.insert(w.fifo_read_first);
  }
  // What several may wait on alike (who ended holding a semaphore): once each.
  std::set<std::string> said;
  for (const size_t i : order) {
    if (blocked[i].thread) continue;
    for (const std::string& sentence : waits[i].once) {
      if (said.insert(sentence).second) explanation += sentence;
    }
  }
  if (read_first.size() > 1) {
    // Each side waits at its first open for the other's second one.
    explanation +=
        " — both sides open a FIFO for reading first: open the FIFOs in the same order in both "
        "programs (or open one for writing first)";
  }
  return explanation + ".";
}

}  // namespace ipcgrade::tracer
