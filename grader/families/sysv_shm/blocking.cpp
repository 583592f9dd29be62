// System V shared memory: none of its calls waits for another process (a lock in a segment is a
// semaphore's, and waits in semop or a futex).
#include "grader/families/family.hpp"

namespace ipcgrade::families::sysv_shm {

bool waits_on_others(const Blocked&) {
  return false;
}

std::optional<Wait> wait(const Blocked&, const trace::Trace&) {
  return std::nullopt;
}

std::string why_stuck(const Blocked&, std::span<const Blocked>, const trace::Trace&) {
  return {};
}

}  // namespace ipcgrade::families::sysv_shm
