#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "grader/trace/message_structs.hpp"
#include "grader/trace/named.hpp"

namespace ipcgrade::trace {

enum class EventKind : std::uint8_t {
  Spawn,  // a process appeared (started by the runner, or forked by one of the run's processes)
  Exec,   // a process ran a new program
  Exit,   // a process ended: value "code" or "signal"
  Call,   // a system call, with its decoded values
};
std::string_view kind_name(EventKind kind);  // "spawn", "exec", "exit", "call"
std::optional<EventKind> parse_kind(std::string_view name);

// One operation of a semop/semtimedop: which semaphore of the set, what is added to it (negative: wait
// until the value allows taking it; zero: wait for zero), and its flags (SEM_UNDO, IPC_NOWAIT).
constexpr size_t kMaxSemOps = 16;
struct SemOp {
  int num = 0;
  int op = 0;
  int flags = 0;
  bool operator==(const SemOp&) const = default;
};

// One thing the supervisor saw happen in a run. The Trace is the contract between the supervisor and
// the checks: an ordered list of these, which can be written to a file and read back, so that checks
// are tested on hand-written traces with no process running.
//
// A call's arguments are decoded once, into numbers (`values`: keys, flags, modes, sizes, ids,
// addresses, descriptors); the call table (calls.hpp) says how each is spelled, and only the formatter
// and the trace file spell them. Values are named by ValueName (value_name.hpp): a name no row of the
// call table declares does not build, and a trace file holding one does not load.
struct Event {
  std::uint64_t seq = 0;
  EventKind kind = EventKind::Call;
  long pid = 0;         // as the program sees it (inside the run's PID namespace)
  long host_pid = 0;    // as the grader sees it
  long parent = 0;      // spawn: the parent's pid as the program sees it (0 for processes the runner started)
  std::string process;  // the assignment's process name; forked children inherit their parent's
  int index = 0;        // the instance (count) of that process
  std::string program;  // the program the process runs (path)
  bool judged = true;   // the process runs the submission's own program: checks judge only these calls
  std::string call;     // a row of the call table
  Named<long long> values;   // decoded arguments and results, by name
  Named<std::string> texts;  // bytes a program wrote (escaped), paths and names
  // read/write on a pipe: the descriptors of the same pipe's other end that the process still holds
  // (a reader's write ends, a writer's read ends): the ends it should have closed.
  std::vector<int> other_ends;
  // semop/semtimedop: the operations, read from the caller's memory (at most kMaxSemOps).
  std::vector<SemOp> sem_ops;
  // exec of a submission program: the message structs of its debug information.
  std::vector<MessageStruct> message_structs;
  std::optional<long> result;  // the return value, when the tracer stopped at the call's exit
  int error = 0;               // errno, when the call failed
  std::string at;              // file:line of the call, when known
  // How many times the process made this very call (same arguments and result) in a short run of
  // calls: a loop of msgsnd/msgrcv is recorded once per distinct call, not once per iteration.
  std::uint64_t repeat = 1;

  // A decoded value (0 when absent).
  long long value(ValueName name) const {
    const auto it = values.find(name);
    return it == values.end() ? 0 : it->second;
  }
  bool has(ValueName name) const { return values.count(name) > 0 || texts.count(name) > 0; }
  bool failed() const { return error != 0; }
  bool is_call(std::string_view name) const { return kind == EventKind::Call && call == name; }
  // The same call with the same arguments and outcome: what a loop's repeat is.
  bool same_call(const Event& other) const {
    return call == other.call && values == other.values && texts == other.texts &&
           other_ends == other.other_ends && sem_ops == other.sem_ops && result == other.result &&
           error == other.error;
  }
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
// A call from its raw registers, for the calls the sandbox refuses: "socket(AF_INET, SOCK_STREAM, 0)",
// "kill(4242, SIGTERM)", "mount(...)".
struct CallRow;
std::string format_raw(const CallRow& row, const unsigned long long (&args)[6]);

}  // namespace ipcgrade::trace
