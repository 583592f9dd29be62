#pragma once
#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "grader/run/result.hpp"
#include "grader/tracer/tracer.hpp"

namespace ipcgrade::tracer {

// Notices when every live process of a run is blocked with no way forward — each in a blocking call
// (read or write on a pipe, msgrcv, msgsnd, semop, waitpid, pause, a futex wait without timeout), none
// advancing (same call, same CPU time, same context switches, no new trace events) over two samples,
// and none with a timer pending — and explains who waits on what, from /proc and the tracer's
// descriptor tables. A process sleeping, computing, waiting with a timeout, or reading anything but a
// pipe keeps the run alive.
class Watchdog {
 public:
  static constexpr std::chrono::milliseconds kInterval{100};

  // Takes a sample; returns the explanation when the run is deadlocked.
  std::optional<std::string> sample(const Tracer& tracer);
  // When it was: each blocked process's call and the IPC object it waits on.
  const std::vector<run::BlockedCall>& blocked() const { return blocked_; }
  // `run` with its input a terminal: a process waiting for a signal (pause, sigsuspend) waits for the
  // user's Ctrl-C, and the run is not stuck.
  void set_terminal(bool on) { terminal_ = on; }
  // Such a process, as "server (pid 1000)", once one was seen waiting.
  const std::optional<std::string>& signal_wait() const { return signal_wait_; }

 private:
  std::vector<run::BlockedCall> blocked_;
  std::map<pid_t, std::string> previous_;  // host pid -> what was seen of it last time
  size_t previous_events_ = 0;
  bool terminal_ = false;
  std::optional<std::string> signal_wait_;
};

}  // namespace ipcgrade::tracer
