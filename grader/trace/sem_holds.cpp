#include "grader/trace/sem_holds.hpp"

#include <sys/sem.h>

#include <map>
#include <tuple>

namespace ipcgrade::trace {

std::vector<SemHold> sem_holds(const Trace& trace) {
  std::map<std::tuple<long, long, int>, size_t> index;  // (pid, semid, num) -> position in `all`
  std::vector<SemHold> all;
  for (const auto& e : trace.events) {
    if (e.sem_ops.empty() || e.failed()) continue;  // a semop or semtimedop
    const long semid = static_cast<long>(e.value("semid"));
    for (const auto& op : e.sem_ops) {
      if (op.flags & SEM_UNDO) continue;
      const auto key = std::make_tuple(e.pid, semid, op.num);
      auto it = index.find(key);
      if (it == index.end()) {
        it = index.emplace(key, all.size()).first;
        all.push_back(SemHold{e.pid, semid, op.num});
      }
      SemHold& h = all[it->second];
      h.taken -= static_cast<long long>(op.op) * static_cast<long long>(e.repeat);
      if (op.op < 0) h.last_p = &e;
      if (op.op > 0) h.gave = true;
    }
  }
  std::vector<SemHold> held;
  for (const auto& h : all) {
    if (h.taken > 0 && h.last_p) held.push_back(h);
  }
  return held;
}

std::vector<SemHold> dead_holds(const Trace& trace) {
  std::map<long, const Event*> ended;
  for (const auto& e : trace.events) {
    if (e.kind == EventKind::Exit) ended[e.pid] = &e;
  }
  std::vector<SemHold> out;
  for (auto h : sem_holds(trace)) {
    const auto end = ended.find(h.pid);
    if (end == ended.end()) continue;
    h.exit = end->second;
    if (h.gave || h.exit->values.count("signal")) out.push_back(h);
  }
  return out;
}

}  // namespace ipcgrade::trace
