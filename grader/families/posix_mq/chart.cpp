// How the sequence chart draws POSIX queues: a lifeline per name, messages sent towards it and received
// from it, the descriptor leading each call to its queue.
#include <fcntl.h>

#include <cstring>

#include <fmt/format.h>

#include "grader/families/family.hpp"

namespace ipcgrade::families::posix_mq {

namespace {

trace::ObjectId queue(const std::string& name) {
  return trace::ObjectId::named(trace::ObjectId::Kind::PosixMq, name);
}

}  // namespace

void draw(const trace::Event& e, Chart& chart) {
  const std::string& c = e.call;
  if (c == "mq_open") {
    if (e.failed()) return;
    const auto id = queue(text_of(e, "name"));
    const bool creating = (e.value("oflag") & O_CREAT) != 0 && !chart.known(id);
    chart.object(id, text_of(e, "name"), "POSIX queue");
    if (e.result) chart.descriptor(e.pid, *e.result, id);
    chart.to_object(e, id, creating ? c + " (create)" : c);
  } else if (c == "mq_send" || c == "mq_timedsend" || c == "mq_receive" || c == "mq_timedreceive" ||
             c == "mq_close") {
    const auto id = chart.descriptor_of(e.pid, e.value("mqdes")).value_or(queue(text_of(e, "name")));
    if (!chart.known(id)) chart.object(id, text_of(e, "name"), "POSIX queue");
    if (c == "mq_close") {
      chart.to_object(e, id, "mq_close");
    } else if (c == "mq_send" || c == "mq_timedsend") {
      chart.to_object(e, id, fmt::format("{} {}", c, bytes(e.value("msg_len"))));
    } else {
      chart.to_process(e, id,
                       e.failed() ? fmt::format("{} → {}", c,
                                                strerrorname_np(e.error) ? strerrorname_np(e.error) : "error")
                                  : fmt::format("{} → {}", c, bytes(e.result.value_or(0))));
    }
  } else if (c == "mq_unlink") {
    const auto id = queue(text_of(e, "name"));
    if (!chart.known(id)) return;
    chart.to_object(e, id, c);
    if (!e.failed()) chart.removed(id);
  }
}

}  // namespace ipcgrade::families::posix_mq
