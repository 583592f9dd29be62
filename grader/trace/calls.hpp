#pragma once
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "grader/trace/spelling.hpp"
#include "grader/trace/value_name.hpp"

// The one table of the calls the tracer knows, in the manner of strace's syscallent.h: what each call
// is, how its arguments read, whether the tracer stops at it and waits for its exit, whether a loop's
// repeats fold into one event, whether it can block on another process of the run, and what tracked
// mode's guard does with it. The seccomp filter, the decoders' dispatch, the tracer's fast path, the
// guard, the deadlock watchdog and the formatter all read it; docs/tracing.md lists exactly its calls
// (a test compares them).
//
// Adding a traced call is one row here plus its decoder in its family's folder, grader/families/<family>/
// (sysv_msg/decode.cpp, pipes/decode.cpp, ...).
namespace ipcgrade::trace {

struct Event;

enum class Family : std::uint8_t {
  Msg,          // System V message queues
  Shm,          // System V shared memory
  Sem,          // System V semaphores
  Descriptors,  // pipes and the descriptors that hold their ends
  Process,      // forks, exits, waits
  Memory,       // allocations: a refusal names the memory limit
  Timers,       // a pending timer keeps a sleeping run alive
  Signals,      // calls that reach another process by its pid (tracked mode's guard)
  Sockets,      // calls that reach a socket by its address (tracked mode's guard)
  Names,        // calls that make a name in the file system (tracked mode's guard)
  Sandbox,      // calls the sandbox refuses
  Mq,           // POSIX message queues
  Files,        // FIFOs, POSIX shared memory and named semaphores: files made, opened and removed by path
};

// The families whose calls `want_results` (an `ipc-errors` check) waits for at their exit: System V
// IPC and POSIX queues; their calls are otherwise recorded at entry.
constexpr bool waits_for_results(Family family) {
  return family == Family::Msg || family == Family::Sem || family == Family::Shm || family == Family::Mq;
}

// When the call stops at the tracer.
enum class Stop : std::uint8_t {
  Always,  // every call
  When,    // only with one of the argument conditions in `when`
  PipeIo,  // on descriptors above 2, when a check of the assignment judges pipe traffic (always under `run`)
  Never,   // runs untraced: the watchdog knows it from /proc/PID/syscall
  Named,   // not a system call: the name the trace gives the call `via` makes for the library function
           // the student wrote (mkfifo is mknodat, shm_open an openat under /dev/shm)
};

// In which isolation mode the call stops.
enum class Mode : std::uint8_t { Every, Tracked };

// What the BPF observer (grader/observer) copies from the caller's memory when it records the call
// instead of the tracer stopping it; None: the call is never observed, it stops as the row says. The
// values are the BPF program's (observed_call.h).
enum class Capture : std::uint8_t {
  None = 0,
  Args = 1,    // the arguments only
  Mtype = 2,   // the long at argument 1: msgsnd's mtype at entry, msgrcv's at exit
  SemOps = 3,  // the sembuf array at argument 1 (argument 2 of them)
  Write = 4,   // the first and last bytes written (argument 1, count in argument 2)
};

// A condition on one argument, as the seccomp filter tests it.
struct Condition {
  enum class Op : std::uint8_t { Eq, Ne, Gt, MaskedEq };
  int arg = 0;
  Op op = Op::Eq;
  unsigned long long value = 0;
  unsigned long long mask = 0;  // MaskedEq: (argument & mask) == value
};

// Whether the tracer waits for the call's exit.
enum class Exit : std::uint8_t {
  Never,
  Always,     // its result is needed (an id, an address, descriptors, ENOMEM)
  IfDecoded,  // when its entry's decoder asks (a dup of a pipe's end, not of a file)
};

// Whether a loop's identical calls fold into one event with a repeat count.
enum class Fold : std::uint8_t {
  None,
  Raw,      // compared on their raw arguments before anything is decoded (the message loop's hot path)
  Decoded,  // compared once decoded (a pipe's read and write: the descriptor's meaning matters)
};

// Whether a process asleep in the call can only be woken by another process of the run.
enum class Blocks : std::uint8_t {
  Never,
  Always,
  WithoutTimeout,  // when the argument `timeout_arg` is 0
  PipeRead,        // reading the read end of a pipe
  PipeWrite,       // writing the write end of a pipe
  FifoOpen,        // opening a FIFO, until a process opens its other end
};

// The kinds of object a run can leave behind, one spelling each ("msg", "posix-mq", "fifo", ...): in the
// report, the journal, `audit` and the leftovers' evidence. System V objects first; then POSIX objects by
// name; then names in the file system (a FIFO, a socket file, ... made outside the working folder).
enum class IpcKind : std::uint8_t {
  MsgQueue,
  ShmSegment,
  SemSet,
  PosixMq,
  PosixShm,
  PosixSem,
  Fifo,
  Socket,
  Directory,
  Symlink,
  File,
  Device,
};

// Whether a successful call makes an IPC object (what `ready: ipc` waits for).
enum class Creates : std::uint8_t {
  No,
  WithIpcCreat,  // System V: with IPC_CREAT in `flags`, an object of its family
  WithOCreat,    // POSIX: with O_CREAT in `oflag`
  Always,        // mkfifo
};

// What tracked mode's guard does with the call (namespaces mode needs none of it).
enum class Guard : std::uint8_t {
  None,
  Refuse,      // refused with EPERM in the modes the row stops in, for the reason `why`
  RunPid,      // allowed only towards the run's own processes (the pid is argument `pid_arg`)
  SocketPath,  // allowed only towards sockets inside the run's folders
  OwnObject,   // a change to an IPC object allowed only on objects the run created
  Name,        // the name it makes is watched, and removed at the end when outside the run's folders
  Absent,      // answered ENOSYS by the filter itself, as by a kernel without the call (never stops)
  RunPidFd,    // allowed only with a pidfd (or a /proc/PID folder) of the run's own processes (argument 0)
};

// A value of a row: its name (checked against kValueNames while compiling) and how it is spelled.
struct Arg {
  Arg(ValueName n, Spelling s = Spelling::Decimal) : name(n), spelling(s) {}  // NOLINT: `{"key", S::Hex}`
  ValueName name;
  Spelling spelling;
};

struct CallRow {
  std::string_view name = {};
  int nr = -1;
  Family family = Family::Process;
  Stop stop = Stop::Always;
  Mode mode = Mode::Every;
  std::vector<Condition> when = {};  // Stop::When: any one of them
  Exit exit = Exit::Never;
  Fold fold = Fold::None;
  int fold_args = 0;     // Fold::Raw: the arguments that identify the call
  int fold_memory = -1;  // Fold::Raw: an argument whose pointed-to long is part of it (mtype)
  Blocks blocks = Blocks::Never;
  int timeout_arg = -1;  // Blocks::WithoutTimeout
  Guard guard = Guard::None;
  int pid_arg = -1;                    // Guard::RunPid
  std::string_view why = {};           // Guard::Refuse: the report's reason
  Creates creates = Creates::No;       // whether a successful call makes an IPC object
  bool allocates = false;              // its ENOMEM names the memory limit (the Memory family's rows, shmat)
  std::optional<IpcKind> object = {};  // POSIX objects and FIFOs: the kind it makes or removes by name
  bool removes = false;                // removes the object its name or path names (mq_unlink, unlink)
  Capture capture = Capture::None;     // what the BPF observer copies when it records the call
  std::vector<Arg> args = {};          // in the C prototype's order: what the formatter prints
  std::vector<Arg> recorded = {};      // decoded values besides the arguments: results, pipe ends, ...
  std::string_view via = {};           // Stop::Named: the system call it is recorded from
};

const std::vector<CallRow>& call_table();
// Why the guard refuses this call with these arguments: the row's `why`, or the reason of the argument
// that made it refused where a row refuses for several (prctl, clone).
std::string_view refusal_reason(const CallRow& row, const unsigned long long (&args)[6]);
// The flags of clone(2) refused in every mode: a namespace of the program's own would hide what it
// makes from the audit, and an untraced child would escape the tracer and every limit it enforces.
unsigned long long refused_clone_flags();
// The row of a system call number, or null for a call the table does not hold.
const CallRow* call_row(int nr);
// The row of a call as events name it ("dup" for fcntl's F_DUPFD is dup's row), or null.
const CallRow* call_row(std::string_view name);
// How value `name` of an event of call `call` is spelled (Decimal when the table does not say).
Spelling spelling_of(std::string_view call, ValueName name);
// The names of an event's values and texts that its row (or, for spawn, exec and exit events, its
// kind) does not declare: what a trace file may not hold, and what the decoders' tests refuse.
std::vector<std::string_view> undeclared_values(const Event& event);
// The values an exit event may hold (code, signal, crash, ...).
const std::vector<Arg>& exit_values();

}  // namespace ipcgrade::trace
