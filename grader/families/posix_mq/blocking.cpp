// What a process blocked in mq_receive or mq_send waits for.
#include <sys/syscall.h>

#include <fmt/format.h>

#include "grader/families/family.hpp"

namespace ipcgrade::families::posix_mq {

namespace {

// A POSIX queue by the name its descriptor was opened with.
std::string queue_name(const Blocked& b) {
  const PipeEnd* end = b.end(b.args[0]);
  return end && end->kind == Opened::Queue ? end->name : fmt::format("(descriptor {})", b.args[0]);
}

}  // namespace

bool waits_on_others(const Blocked&) {
  return true;
}

std::optional<Wait> wait(const Blocked& b, const trace::Trace&) {
  if (b.nr != SYS_mq_timedreceive && b.nr != SYS_mq_timedsend) return std::nullopt;
  const bool receive = b.nr == SYS_mq_timedreceive;
  Wait w;
  w.first = true;
  // mq_receive and mq_send are mq_timedreceive and mq_timedsend without a timeout.
  w.call =
      b.args[4] == 0 ? (receive ? "mq_receive" : "mq_send") : (receive ? "mq_timedreceive" : "mq_timedsend");
  w.state = receive ? fmt::format("is blocked in mq_receive on the empty queue {}", queue_name(b))
                    : fmt::format("is blocked in mq_send on the full queue {}", queue_name(b));
  if (const PipeEnd* end = b.end(b.args[0]); end && end->kind == Opened::Queue)
    w.object = trace::ObjectId::named(trace::ObjectId::Kind::PosixMq, end->name);
  return w;
}

std::string why_stuck(const Blocked& b, std::span<const Blocked>, const trace::Trace&) {
  if (b.nr == SYS_mq_timedreceive) return "; no live process will send to it";
  if (b.nr == SYS_mq_timedsend) return "; no live process will receive";
  return {};
}

}  // namespace ipcgrade::families::posix_mq
