#pragma once
// A scenario as a sequence chart: one lifeline per process and per IPC object, and the calls between
// them as arrows, in the order the trace recorded them. The HTML report draws it as SVG and the
// Markdown report as a Mermaid sequenceDiagram; both read this one model, built from the trace, the
// processes' ends, the leftovers and the failed checks' evidence.
#include <string>
#include <vector>

#include "grader/report/report.hpp"

namespace ipcgrade::report {

struct Lifeline {
  enum class Kind { Process, Object };
  Kind kind = Kind::Process;
  std::string id;      // stable within the chart: "p1000", "msg:3", "pipe:1", "posix-mq:/relay"
  std::string title;   // "server", "queue 0x00005000"
  std::string sub;     // "pid 1000", "id 3", "FIFO"
  size_t first = 0;    // the arrow index it starts at (a process forked at, an object created at)
  size_t last = 0;     // the arrow index it ends at (exclusive: ends after arrows[last - 1])
  bool ended = false;  // a process that exited, an object that was removed
  std::string end;     // "exit 0", "killed by SIGSEGV", "killed by the grader", "removed", "left behind"
  bool left_behind = false;  // an IPC object still there when the scenario ended
  bool blocked = false;      // a process stopped in a deadlock
  std::string waits;         // what a blocked process waits in ("read", "msgrcv", ...)
};

struct Arrow {
  enum class Kind { Call, Fork };
  Kind kind = Kind::Call;
  std::string from, to;  // lifeline ids
  std::string label;     // "mtype=2, 72 B", "write 6 B", "P(0)", "fork"
  std::uint64_t repeat = 1;
  bool wrong = false;  // the call is evidence of a failed check
  std::string wrong_why;
  bool blocked = false;  // the call a process was blocked in when the deadlock stop came
  std::string call;      // the call as strace writes it, with its result
  std::string at;        // file:line
  std::string process;   // "server (pid 1000)"
};

// A process attached to a segment (shmat, or an mmap of a POSIX object): drawn as a bar on its
// lifeline from the attach to the detach (or its end), as a sequence chart draws an activation.
struct Span {
  std::string line;    // the process's lifeline
  std::string object;  // the segment's
  size_t from = 0;     // the arrow that attached (a fork, for an attachment the child inherited)
  size_t to = 0;       // exclusive: the bar ends with arrows[to - 1]
};

struct Sequence {
  std::string scenario;
  std::vector<Lifeline> lines;
  std::vector<Arrow> arrows;
  std::vector<Span> spans;
  size_t not_drawn = 0;     // arrows past the drawing limits (kMaxArrows, kMaxLines)
  std::string outcome;      // "completed", "deadlock", ...
  std::string explanation;  // the outcome's detail: the deadlock's explanation
};

// At most this many arrows are drawn per scenario; a loop's repeats are one arrow already.
constexpr size_t kMaxArrows = 1500;
// ... and at most this many lifelines (processes and objects): a run that makes 12,000 objects draws
// the beginning of its story, and says how much it left out.
constexpr size_t kMaxLines = 64;

Sequence sequence_of(const run::ScenarioResult& scenario, const std::vector<CheckResult>& checks);

}  // namespace ipcgrade::report
