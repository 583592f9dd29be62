// How the sequence chart draws System V queues: a lifeline per queue, an arrow per message with its
// type and size, received messages from the queue back to the process.
#include <sys/ipc.h>

#include <cstring>

#include <fmt/format.h>

#include "grader/families/family.hpp"
#include "grader/trace/spelling.hpp"

namespace ipcgrade::families::sysv_msg {

namespace {

trace::ObjectId queue(long id) {
  return trace::ObjectId::sysv(trace::ObjectId::Kind::Msg, id);
}

}  // namespace

void draw(const trace::Event& e, Chart& chart) {
  const std::string& c = e.call;
  if (c == "msgget") {
    if (e.failed() || !e.result) return;
    const auto id = queue(*e.result);
    const bool creating = (e.value("flags") & IPC_CREAT) != 0 && !chart.known(id);
    chart.object(id, fmt::format("queue {}", trace::key_name(e.value("key"))),
                 fmt::format("id {}", *e.result));
    chart.to_object(e, id, creating ? c + " (create)" : c);
  } else if (c == "msgsnd") {
    const auto id = queue(e.value("msqid"));
    chart.object(id, "queue", fmt::format("id {}", e.value("msqid")));
    chart.to_object(e, id, fmt::format("mtype={}, {}", e.value("mtype"), bytes(e.value("msgsz"))));
  } else if (c == "msgrcv") {
    const auto id = queue(e.value("msqid"));
    chart.object(id, "queue", fmt::format("id {}", e.value("msqid")));
    const std::string got =
        e.failed() ? std::string(strerrorname_np(e.error) ? strerrorname_np(e.error) : "error")
        : e.has("received_mtype")
            ? fmt::format("mtype={}, {}", e.value("received_mtype"), bytes(e.result.value_or(0)))
            : bytes(e.result.value_or(0));
    chart.to_process(e, id, fmt::format("msgrcv(msgtyp={}) → {}", e.value("msgtyp"), got));
  } else if (c == "msgctl") {
    const auto id = queue(e.value("msqid"));
    const auto cmd = e.value("cmd");
    chart.object(id, "queue", fmt::format("id {}", e.value("msqid")));
    chart.to_object(e, id, trace::spell(trace::spelling_of(c, "cmd"), cmd));
    if (cmd == IPC_RMID && !e.failed()) chart.removed(id);
  }
}

}  // namespace ipcgrade::families::sysv_msg
