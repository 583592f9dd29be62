// How the sequence chart draws System V shared memory: a lifeline per segment, and each attachment as
// a bar on the process's lifeline from its shmat to its shmdt (a fork copies it).
#include "grader/families/family.hpp"

namespace ipcgrade::families::sysv_shm {

void draw(const trace::Event& e, Chart& chart) {
  using K = trace::ObjectId::Kind;
  const std::string& c = e.call;
  if (c == "shmget") {
    draw_sysv_get(e, chart, K::Shm, "segment");
  } else if (c == "shmctl") {
    draw_sysv_ctl(e, chart, K::Shm, "segment", "shmid");
  } else if (c == "shmat") {
    const auto id = sysv_object(e, chart, K::Shm, "segment", "shmid");
    chart.to_object(e, id, "attach");
    if (e.has("address") && !e.failed()) chart.attach(e.pid, e.value("address"), id);
  } else if (c == "shmdt") {
    // The segment of the address: the attach that returned it.
    if (const auto id = chart.attached(e.pid, e.value("shmaddr"))) {
      chart.to_object(e, *id, "detach");
      chart.detach(e.pid, e.value("shmaddr"));
    }
  }
}

}  // namespace ipcgrade::families::sysv_shm
