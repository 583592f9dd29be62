// Timers: none of their calls waits; a pending one keeps a sleeping run alive (the watchdog asks the
// tracer, which decode.cpp tells).
#include "grader/families/family.hpp"

namespace ipcgrade::families::timers {

bool waits_on_others(const Blocked&) {
  return false;
}

std::optional<Wait> wait(const Blocked&, const trace::Trace&) {
  return std::nullopt;
}

std::string why_stuck(const Blocked&, std::span<const Blocked>, const trace::Trace&) {
  return {};
}

}  // namespace ipcgrade::families::timers
