// How the sequence chart draws System V semaphores: a lifeline per set, each semop as its P and V
// operations.
#include <sys/ipc.h>

#include <fmt/format.h>

#include "grader/families/family.hpp"
#include "grader/trace/spelling.hpp"

namespace ipcgrade::families::sysv_sem {

namespace {

trace::ObjectId set(long id) {
  return trace::ObjectId::sysv(trace::ObjectId::Kind::Sem, id);
}

// The semaphore operations as P and V: "P(0)", "V(2)", "zero?(1)".
std::string operations(const trace::Event& e) {
  std::string out;
  for (const auto& op : e.sem_ops) {
    const std::string one = op.op < 0   ? fmt::format("P({})", op.num)
                            : op.op > 0 ? fmt::format("V({})", op.num)
                                        : fmt::format("zero?({})", op.num);
    out += (out.empty() ? "" : " ") + one;
  }
  return out.empty() ? "semop" : out;
}

}  // namespace

void draw(const trace::Event& e, Chart& chart) {
  const std::string& c = e.call;
  if (c == "semget") {
    if (e.failed() || !e.result) return;
    const auto id = set(*e.result);
    const bool creating = (e.value("flags") & IPC_CREAT) != 0 && !chart.known(id);
    chart.object(id, fmt::format("semaphore set {}", trace::key_name(e.value("key"))),
                 fmt::format("id {}", *e.result));
    chart.to_object(e, id, creating ? c + " (create)" : c);
  } else if (c == "semop" || c == "semtimedop") {
    const auto id = set(e.value("semid"));
    chart.object(id, "semaphore set", fmt::format("id {}", e.value("semid")));
    chart.to_object(e, id, operations(e));
  } else if (c == "semctl") {
    const auto id = set(e.value("semid"));
    const auto cmd = e.value("cmd");
    chart.object(id, "semaphore set", fmt::format("id {}", e.value("semid")));
    chart.to_object(e, id, trace::spell(trace::spelling_of(c, "cmd"), cmd));
    if (cmd == IPC_RMID && !e.failed()) chart.removed(id);
  }
}

}  // namespace ipcgrade::families::sysv_sem
