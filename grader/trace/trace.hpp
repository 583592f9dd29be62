#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ipcgrade::trace {

// One thing the supervisor saw happen in a run. The Trace is the contract between the supervisor and
// the checks: an ordered list of these, which can be written to a file and read back, so that checks
// are tested on hand-written traces with no process running.
//
// kind:
//   spawn  a process appeared (started by the runner, or forked by one of the run's processes);
//          `parent` holds the parent's pid
//   exec   a process ran a new program: `program` (its path) and `judged` say which and whether it is
//          the submission's own
//   exit   a process ended: args "code" or "signal"
//   call   a system call: `call` with decoded `args`; `result`/`error` when the tracer waited for them
struct Event {
  std::uint64_t seq = 0;
  std::string kind;
  long pid = 0;         // as the program sees it (inside the run's PID namespace)
  long host_pid = 0;    // as the grader sees it
  long parent = 0;      // spawn: the parent's pid as the program sees it (0 for processes the runner started)
  std::string process;  // the assignment's process name; forked children inherit their parent's
  int index = 0;        // the instance (count) of that process
  std::string program;  // the program the process runs (path)
  bool judged = true;   // the process runs the submission's own program: checks judge only these calls
  std::string call;
  std::map<std::string, std::string> args;
  std::optional<long> result;  // the return value, when the tracer stopped at the call's exit
  int error = 0;               // errno, when the call failed
  std::string at;              // file:line of the call, when known
  // How many times the process made this very call (same arguments and result) in a short run of
  // calls: a loop of msgsnd/msgrcv is recorded once per distinct call, not once per iteration.
  std::uint64_t repeat = 1;

  // A decoded argument as a number (0 when absent); accepts decimal, 0x hex and 0 octal.
  long long number(const std::string& name) const;
  bool has(const std::string& name) const { return args.count(name) > 0; }
  bool failed() const { return error != 0; }
};

struct Trace {
  std::vector<Event> events;
};

// A call the sandbox refused instead of running it: the seccomp filter's refusals (io_uring, mounts,
// sockets other than Unix ones in tracked mode) and the tracer's guard (a signal to a process outside
// the run, a connect to a host's socket, an IPC object the run did not create). The program saw
// `error`; the report says why, so that a student learns why their program failed.
struct Refusal {
  std::string process;  // the assignment's name of the process
  int index = 0;
  long pid = 0;             // as the program saw itself
  std::string call;         // "socket(AF_INET, SOCK_STREAM, 0)", "kill(4242, SIGTERM)"
  std::string error;        // "EPERM"
  std::string why;          // "the run has no network: only Unix sockets are allowed"
  std::uint64_t count = 1;  // the same call refused again in the same process

  // "client (pid 1001): socket(AF_INET, SOCK_STREAM, 0) was refused with EPERM: the run has no ..."
  std::string describe() const;
};

// About how much memory an event takes (the event, its strings and its argument map): what the
// trace's byte limit counts.
std::uint64_t approximate_bytes(const Event& event);

// A call the way a student writes it in C: "msgsnd(0, {mtype=1, ...}, 80, 0)", followed by " = 3",
// " = 0x7f..." or " = -1 EINVAL" when the result is known.
std::string format_call(const Event& call);

}  // namespace ipcgrade::trace
