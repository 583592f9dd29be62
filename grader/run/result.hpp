#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "grader/config/assignment.hpp"
#include "grader/trace/ipc_kind.hpp"
#include "grader/trace/object_id.hpp"
#include "grader/trace/trace.hpp"

namespace ipcgrade::run {

enum class Outcome { Completed, Timeout, Deadlock, Limit, CrashedGrader };
std::string to_string(Outcome outcome);
Outcome outcome_from_string(const std::string& text);

// A process that died of a fault of its own: the signal, the line, the address it touched.
struct Crash {
  int signal = 0;
  std::string at;                             // file:line, when the program has debug information
  std::optional<unsigned long long> address;  // SIGSEGV, SIGBUS, SIGFPE, SIGILL
  // "SIGSEGV at client.c:41 (address 0x0)"; SIGPIPE and SIGABRT say what raises them.
  std::string describe() const;
};
// The crash an exit event of the trace records (the tracer saw the fault at its delivery), if any.
std::optional<Crash> crash_of(const trace::Event& exit);

struct ProcessResult {
  std::string name;
  int index = 0;
  std::vector<std::string> argv;  // expanded
  long pid = 0;                   // as the program saw itself (inside the run's PID namespace)
  long host_pid = 0;              // as the grader saw it
  bool started = false;
  std::string start_error;  // why it could not start (program not found, ...), or why its turn never came
  // Its turn never came: the process before it never became ready before the run ended (start_error
  // says why: "server #0 never became ready (ready: stdout '^ready' never matched; it printed nothing)").
  bool never_reached = false;
  std::optional<int> exit_code;
  std::optional<int> signal;
  bool killed_by_grader = false;   // ended by the wall limit or the end of the scenario
  std::optional<Crash> crash;      // it died of a fault of its own (signal is then set too)
  std::optional<int> sent_signal;  // a `signals:` step sent it this signal
  std::string stdout_text;
  std::string stderr_text;
  std::uint64_t stdout_cut = 0;  // bytes past the output limit that were dropped
  std::uint64_t stderr_cut = 0;
};

// An IPC object that was still there when the scenario ended.
struct Leftover {
  trace::IpcKind kind = trace::IpcKind::MsgQueue;  // System V (key, id), POSIX (name) or a file (path)
  std::string name;                                // POSIX objects: "/name"
  std::string path;  // POSIX objects: the file that stands for it (how it is removed)
  long key = 0;
  int id = 0;
  unsigned mode = 0;
  std::uint64_t bytes = 0;      // msg: bytes queued; shm: segment size
  std::uint64_t messages = 0;   // msg: messages queued; sem: semaphores in the set
  int attached = 0;             // shm: attach count
  long uid = -1;                // owner
  long cuid = -1;               // creator (System V)
  long long created = 0;        // System V: the ctime column (seconds since the epoch), 0 when unknown
  long creator_pid = 0;         // as the program saw it; 0 when the kernel does not record it
  std::string creator;          // "server (pid 316)" when known
  std::string creator_process;  // "server": the assignment's name of the creating process
  std::string call;             // the creating call, "msgget(0x00005000, IPC_CREAT|0600) = 0", when traced
  std::string at;               // file:line of the creating call, when known
  std::vector<std::string> opened_by;  // "client (pid 1001)": other processes whose get returned its id
  bool reclaimed = false;
  std::string reclaim_error;
  // The grader stopped the run (deadlock, wall limit, a limit) while the process that made it was still
  // running, with no stop signal of the assignment's own to clean up on: its removal never had its
  // chance, and the checks do not charge it (judge_after_stop).
  bool cleanup_stopped = false;
  std::vector<long> holders;  // internal: the pids that made or opened it, from the trace
  // Internal: the identity of the file the trace saw made (FIFOs, POSIX objects in tracked mode); the
  // grader removes only that very file. 0: not known.
  std::uint64_t file_dev = 0, file_ino = 0;
};

// A student process that was still running when the scenario ended (a server its clients outlived, a
// daemon), and was killed then: named apart from the runner's processes, which it may descend from.
struct Survivor {
  std::string name;  // the assignment's name of the process it is or descends from
  int index = 0;
  long pid = 0;  // as the program saw it
  std::string describe()
      const;  // "server (pid 1001) was still running when the scenario ended and was killed"
};

// A process the deadlock stop found blocked: the call and the IPC object it waited on, as the pictures
// draw it (written "pipe:1", "msg:0", "sem:0", "posix-mq:/relay", "fifo:up.fifo"; empty when not an
// object).
struct BlockedCall {
  long pid = 0;
  std::string call;
  trace::ObjectId object;
};

// One run of a scenario that runs several times (`runs:`): its seed and how it ended.
struct RunOutcome {
  std::uint64_t seed = 0;
  Outcome outcome = Outcome::Completed;
  double seconds = 0;
};

struct ScenarioResult {
  std::string name;
  config::Visibility visibility = config::Visibility::Visible;
  Outcome outcome = Outcome::Completed;
  std::string outcome_detail;  // "wall limit 10s", ...
  double seconds = 0;
  std::string mode;  // namespaces | tracked
  // Which mechanism enforced each limit: {"processes": "pids cgroup v1", "memory": "RLIMIT_AS + memory
  // cgroup v1", ...}; a limit nothing could enforce says "not enforced".
  std::map<std::string, std::string> enforced;
  // Why the run is in tracked mode when namespaces were asked for with `auto` (set with
  // sandbox_refused: why they could not be made).
  std::string mode_reason;
  bool sandbox_refused = false;  // internal: the namespaces could not be made (auto then retries tracked)
  std::vector<ProcessResult> processes;
  std::vector<Leftover> leftovers;
  std::vector<Survivor> survivors;  // student processes killed at the end of a run that had otherwise ended
  std::uint64_t trace_dropped = 0;  // calls past limits.trace_events, not recorded
  // internal: records the BPF observer had no room for (the run is then graded again under ptrace)
  std::uint64_t observer_lost = 0;
  std::vector<trace::Refusal> refused;  // calls the sandbox refused instead of running
  std::vector<BlockedCall> blocked;     // a deadlock: what each process waited in
  // The processes (pids as they saw themselves) still running when the grader stopped the run (wall
  // limit, deadlock, a limit): their cleanup never came, and is not charged (see judge_after_stop).
  std::vector<long> stopped;
  // Run under a schedule perturbation: its seed (`grade --seed S --runs 1` runs it again). A scenario
  // that ran several times is reported by one of its runs (the first that failed a check or did not
  // complete, else the first), with every run's seed and outcome in `runs`.
  std::optional<std::uint64_t> seed;
  std::vector<RunOutcome> runs;
  trace::Trace trace;
};

}  // namespace ipcgrade::run
