// How the sequence chart draws System V semaphores: a lifeline per set, each semop as its P and V
// operations.
#include <fmt/format.h>

#include "grader/families/family.hpp"

namespace ipcgrade::families::sysv_sem {

namespace {

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
  using K = trace::ObjectId::Kind;
  const std::string& c = e.call;
  if (c == "semget") {
    draw_sysv_get(e, chart, K::Sem, "semaphore set");
  } else if (c == "semop" || c == "semtimedop") {
    chart.to_object(e, sysv_object(e, chart, K::Sem, "semaphore set", "semid"), operations(e));
  } else if (c == "semctl") {
    draw_sysv_ctl(e, chart, K::Sem, "semaphore set", "semid");
  }
}

}  // namespace ipcgrade::families::sysv_sem
