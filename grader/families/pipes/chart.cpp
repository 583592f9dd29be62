// How the sequence chart draws pipes (and FIFOs, which the pipes' calls read and write): a lifeline per
// pipe, writes towards it, reads from it, and each close with the end it closed.
#include <fmt/format.h>

#include "grader/families/family.hpp"

namespace ipcgrade::families::pipes {

void draw(const trace::Event& e, Chart& chart) {
  const std::string& c = e.call;
  if (!e.has("pipe")) return;  // a file, a socket: not drawn
  const auto id = trace::ObjectId::pipe(e.value("pipe"));
  if (c == "pipe" || c == "pipe2") {
    chart.object(id, fmt::format("pipe {}", e.value("pipe")),
                 fmt::format("fds {}, {}", e.value("read_fd"), e.value("write_fd")));
    chart.to_object(e, id, c);
  } else if (c == "read" || c == "write") {
    const std::string fifo = text_of(e, "fifo");
    chart.object(id, fifo.empty() ? fmt::format("pipe {}", e.value("pipe")) : "FIFO " + fifo,
                 fifo.empty() ? "" : "FIFO");
    if (c == "write") {
      chart.to_object(e, id, fmt::format("write {}", bytes(e.value("count"))));
    } else {
      chart.to_process(e, id,
                       e.failed() ? "read failed"
                       : e.result ? fmt::format("read {}", bytes(*e.result))
                                  : fmt::format("read (up to {})", bytes(e.value("count"))));
    }
  } else if (c == "close") {
    if (!chart.known(id)) return;
    chart.to_object(e, id,
                    e.value("end") == 1   ? "close write end"
                    : e.value("end") == 2 ? "close"
                                          : "close read end");
  }
}

}  // namespace ipcgrade::families::pipes
