// What a process blocked in msgrcv or msgsnd waits for.
#include <sys/syscall.h>

#include <fmt/format.h>

#include "grader/families/family.hpp"
#include "grader/trace/spelling.hpp"

namespace ipcgrade::families::sysv_msg {

namespace {

// The key of a queue id, from the msgget that returned it.
std::string queue_name(const trace::Trace& trace, long id) {
  for (auto it = trace.events.rbegin(); it != trace.events.rend(); ++it) {
    if (it->is_call("msgget") && it->result && *it->result == id) return trace::key_name(it->value("key"));
  }
  return fmt::format("id {}", id);
}

}  // namespace

bool waits_on_others(const Blocked&) {
  return true;
}

std::optional<Wait> wait(const Blocked& b, const trace::Trace& trace) {
  if (b.nr != SYS_msgrcv && b.nr != SYS_msgsnd) return std::nullopt;
  Wait w;
  w.first = true;
  w.object = trace::ObjectId::sysv(trace::ObjectId::Kind::Msg, as_int(b.args[0]));
  const std::string queue = queue_name(trace, static_cast<long>(b.args[0]));
  if (b.nr == SYS_msgrcv) {
    const long type = static_cast<long>(b.args[3]);
    w.call = "msgrcv";
    w.state = fmt::format("is blocked in msgrcv for {} on queue {}",
                          type == 0 ? std::string("any message") : fmt::format("type {}", type), queue);
  } else {
    w.call = "msgsnd";
    w.state = fmt::format("is blocked in msgsnd on the full queue {}", queue);
  }
  return w;
}

std::string why_stuck(const Blocked& b, std::span<const Blocked>, const trace::Trace&) {
  if (b.nr == SYS_msgrcv) return "; no live process can send it";
  if (b.nr == SYS_msgsnd) return "; no live process will receive";
  return {};
}

}  // namespace ipcgrade::families::sysv_msg
