#pragma once
// Internal to the tracer: what it keeps about each traced process.

#include <chrono>
#include <optional>

#include "grader/families/decoders.hpp"
#include "grader/families/tracee_memory.hpp"
#include "grader/tracer/tracer.hpp"

namespace ipcgrade::tracer {

// The families' decoding, which the tracer drives: the tracee's memory and the decoders' dispatch.
using families::decode_entry;
using families::decode_exit;
using families::DecodeContext;
using families::FileId;
using families::ProcessMemory;
using families::read_tracee;
using families::read_tracee_value;

// A call stopped at entry whose exit the tracer waits for.
struct Tracer::Pending {
  trace::Event event;
  int nr = 0;
  unsigned long long args[6] = {};
  // A call that makes a name (tracked mode): the path as given, made absolute, and what was there.
  std::string path;
  bool existed = false;
  dev_t dev = 0;
  ino_t ino = 0;
};

struct Tracer::Proc {
  pid_t host_pid = 0;
  long pid = 0;    // inside the run's PID namespace
  pid_t root = 0;  // host pid of the runner-started process this one descends from
  std::string name;
  int index = 0;
  std::string program;
  bool judged = false;
  bool thread = false;  // a thread of another tracee: its exit is not a process exit
  // Made by a fork or clone the tracer has not seen it start from yet: its first stop is its initial one.
  bool fresh = false;
  std::uint64_t perturb_draws = 0;  // stops of this process a schedule perturbation drew for
  // A fork the process was let make whose child the tracer has not seen yet: counted against the
  // process limit until the fork's event arrives.
  bool forking = false;
  // Tracked mode: this get's IPC_CREAT was made IPC_CREAT|IPC_EXCL by the guard (the key was not the run's).
  bool excl_added = false;
  // When the latest alarm()/setitimer(ITIMER_REAL) fires; max() for a timer the tracer cannot time
  // (timer_settime, timerfd_settime): a process with a timer is never called deadlocked.
  std::chrono::steady_clock::time_point timer_until{};
  std::shared_ptr<FdTable> fds = std::make_shared<FdTable>();  // shared by the threads of a process
  std::optional<Pending> pending;
  // An observed call whose exit record the tracer waits for (no ptrace stop is involved).
  std::optional<Pending> observed_pending;
  // A call a signal interrupted, decoded as failing with EINTR: recorded at the signal's delivery stop
  // if a handler runs for it (see settle_interrupted).
  std::optional<Pending> interrupted;
  // Indices in the trace of this process's latest calls of the kinds that loops repeat, so that an
  // identical call is counted on its earlier event instead of recorded again.
  std::vector<size_t> recent;
  // The raw arguments of the latest msgsnd/msgrcv/semop calls and the events they were counted on:
  // a loop repeating the same call skips decoding altogether.
  struct Raw {
    int nr;
    unsigned long long args[6];
    long mtype;
    size_t event;
  };
  std::vector<Raw> raw;
};

// Skips the call the tracee is stopped in at its seccomp stop: syscall number -1, `err` as its result.
void refuse_only(pid_t host_pid, int err);

}  // namespace ipcgrade::tracer
