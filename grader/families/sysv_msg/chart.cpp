// How the sequence chart draws System V queues: a lifeline per queue, an arrow per message with its
// type and size, received messages from the queue back to the process.
#include <cstring>

#include <fmt/format.h>

#include "grader/families/family.hpp"

namespace ipcgrade::families::sysv_msg {

void draw(const trace::Event& e, Chart& chart) {
  using K = trace::ObjectId::Kind;
  const std::string& c = e.call;
  if (c == "msgget") {
    draw_sysv_get(e, chart, K::Msg, "queue");
  } else if (c == "msgsnd") {
    const auto id = sysv_object(e, chart, K::Msg, "queue", "msqid");
    chart.to_object(e, id, fmt::format("mtype={}, {}", e.value("mtype"), bytes(e.value("msgsz"))));
  } else if (c == "msgrcv") {
    const auto id = sysv_object(e, chart, K::Msg, "queue", "msqid");
    const std::string got =
        e.failed() ? std::string(strerrorname_np(e.error) ? strerrorname_np(e.error) : "error")
        : e.has("received_mtype")
            ? fmt::format("mtype={}, {}", e.value("received_mtype"), bytes(e.result.value_or(0)))
            : bytes(e.result.value_or(0));
    chart.to_process(e, id, fmt::format("msgrcv(msgtyp={}) → {}", e.value("msgtyp"), got));
  } else if (c == "msgctl") {
    draw_sysv_ctl(e, chart, K::Msg, "queue", "msqid");
  }
}

}  // namespace ipcgrade::families::sysv_msg
