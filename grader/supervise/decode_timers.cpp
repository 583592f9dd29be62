// Timers: alarm, setitimer, timer_settime, timerfd_settime. Nothing is recorded; the process's timer is
// noted, so that the deadlock watchdog never calls a process with a timer pending deadlocked.
#include <sys/time.h>

#include "grader/supervise/decoders.hpp"

namespace ipcgrade::supervise {

namespace {

using Clock = std::chrono::steady_clock;

bool alarm_entry(DecodeContext& ctx, const Registers& a, trace::Event& e) {
  e.call.clear();
  ctx.timer_until = a[0] ? Clock::now() + std::chrono::seconds(a[0]) : Clock::time_point{};
  return false;
}

bool setitimer_entry(DecodeContext& ctx, const Registers& a, trace::Event& e) {
  e.call.clear();
  if (a[0] != ITIMER_REAL || !a[1]) return false;
  if (auto t = ctx.memory.value<itimerval>(a[1])) {
    const auto in = std::chrono::seconds(t->it_value.tv_sec) + std::chrono::microseconds(t->it_value.tv_usec);
    ctx.timer_until = in.count() ? Clock::now() + in : Clock::time_point{};
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

std::span<const Decoder> timer_decoders() {
  return kDecoders;
}

}  // namespace ipcgrade::supervise
