// Timers: alarm, setitimer, timer_settime, timerfd_settime. Nothing is recorded; the process's timer is
// noted, so that the deadlock watchdog never calls a process with a timer pending deadlocked.
#include <sys/time.h>

#include "grader/families/family.hpp"

namespace ipcgrade::families {

namespace {

using Clock = std::chrono::steady_clock;

// When a timer set `seconds` and `micros` from now fires. The values are the program's: one past ten
// years is "never" for a run (and would overflow the clock's nanoseconds), a negative one is refused by
// the kernel and sets no timer.
Clock::time_point fires(long long seconds, long long micros) {
  if (seconds < 0 || micros < 0 || micros >= 1000000 || (seconds == 0 && micros == 0)) return {};
  constexpr long long kTenYears = 10LL * 365 * 24 * 3600;
  if (seconds > kTenYears) return Clock::time_point::max();
  return Clock::now() + std::chrono::seconds(seconds) + std::chrono::microseconds(micros);
}

bool alarm_entry(DecodeContext& ctx, const Registers& a, trace::Event& e) {
  e.call.clear();
  ctx.timer_until =
      fires(static_cast<long long>(static_cast<unsigned>(a[0])), 0);  // alarm takes an unsigned int
  return false;
}

bool setitimer_entry(DecodeContext& ctx, const Registers& a, trace::Event& e) {
  e.call.clear();
  if (a[0] != ITIMER_REAL || !a[1]) return false;
  if (auto t = ctx.memory.value<itimerval>(a[1])) {
    ctx.timer_until = fires(t->it_value.tv_sec, t->it_value.tv_usec);
  }
  return false;
}

// POSIX timers and timerfds: when they fire is not worth computing; the process is never deadlocked.
bool timer_entry(DecodeContext& ctx, const Registers&, trace::Event& e) {
  e.call.clear();
  ctx.timer_until = Clock::time_point::max();
  return false;
}

constexpr Decoder kDecoders[] = {
    {"alarm", alarm_entry},
    {"setitimer", setitimer_entry},
    {"timer_settime", timer_entry},
    {"timerfd_settime", timer_entry},
};

}  // namespace

std::span<const Decoder> timers::decoders() {
  return kDecoders;
}

}  // namespace ipcgrade::families
