// How the sequence chart draws System V shared memory: a lifeline per segment, and each attachment as
// a bar on the process's lifeline from its shmat to its shmdt (a fork copies it).
#include <sys/ipc.h>

#include <fmt/format.h>

#include "grader/families/family.hpp"
#include "grader/trace/spelling.hpp"

namespace ipcgrade::families::sysv_shm {

namespace {

trace::ObjectId segment(long id) {
  return trace::ObjectId::sysv(trace::ObjectId::Kind::Shm, id);
}

}  // namespace

void draw(const trace::Event& e, Chart& chart) {
  const std::string& c = e.call;
  if (c == "shmget") {
    if (e.failed() || !e.result) return;
    const auto id = segment(*e.result);
    const bool creating = (e.value("flags") & IPC_CREAT) != 0 && !chart.known(id);
    chart.object(id, fmt::format("segment {}", trace::key_name(e.value("key"))),
                 fmt::format("id {}", *e.result));
    chart.to_object(e, id, creating ? c + " (create)" : c);
  } else if (c == "shmctl") {
    const auto id = segment(e.value("shmid"));
    const auto cmd = e.value("cmd");
    chart.object(id, "segment", fmt::format("id {}", e.value("shmid")));
    chart.to_object(e, id, trace::spell(trace::spelling_of(c, "cmd"), cmd));
    if (cmd == IPC_RMID && !e.failed()) chart.removed(id);
  } else if (c == "shmat") {
    const auto id = segment(e.value("shmid"));
    chart.object(id, "segment", fmt::format("id {}", e.value("shmid")));
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
