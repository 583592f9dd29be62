#pragma once
// The scenario's supervisor: starts the processes in order, honours `ready:`, captures output, enforces
// the wall limit, then audits and reclaims what the run left. Runs inside the sandbox, in a process
// forked by run_scenario(). Its member functions are in supervisor_*.cpp, one file per concern.
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <algorithm>
#include <chrono>
#include <random>
#include <set>

#include <sys/ipc.h>

#include "grader/audit/files.hpp"
#include "grader/audit/sysv.hpp"
#include "grader/runner/attribute_leftovers.hpp"
#include "grader/runner/run_containment.hpp"
#include "grader/runner/scenario.hpp"
#include "grader/sandbox/fs_policy.hpp"
#include "grader/sandbox/run_cgroup.hpp"
#include "grader/sandbox/run_mounts.hpp"
#include "grader/sandbox/spawn.hpp"
#include "grader/trace/ipc_kind.hpp"
#include "grader/tracer/tracer.hpp"
#include "grader/tracer/watchdog.hpp"
#include "grader/util/atomic_file.hpp"
#include "grader/util/cpus.hpp"
#include "grader/util/pattern.hpp"
#include "grader/util/signals.hpp"
#include "grader/util/text.hpp"
#include "grader/util/units.hpp"

namespace ipcgrade::runner {

using Clock = std::chrono::steady_clock;

inline volatile sig_atomic_t output_pending = 0;  // set by SIGIO: a program wrote to stdout or stderr
// `run`: Ctrl-C. 1 when the terminal sent it (to the whole foreground process group, the program
// included), 2 when it came from elsewhere (kill -INT), and the supervisor forwards it.
inline volatile sig_atomic_t interrupt_pending = 0;

// Output of one stream, capped at the output limit; what is past the cap is counted, not kept.
struct Stream {
  int fd = -1;
  std::string* text = nullptr;
  std::uint64_t* cut = nullptr;

  // Reads what is available; returns false at end of file.
  bool drain(std::uint64_t cap) {
    char buf[65536];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n > 0) {
        const size_t room = text->size() < cap ? cap - text->size() : 0;
        const size_t keep = std::min(room, static_cast<size_t>(n));
        text->append(buf, keep);
        *cut += static_cast<std::uint64_t>(n) - keep;
        continue;
      }
      if (n == 0) return false;
      if (errno == EINTR) continue;
      return true;  // EAGAIN: nothing more for now
    }
  }
  void close() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

struct Live {
  size_t result = 0;  // index into ScenarioResult::processes
  pid_t pid = -1;
  Stream out, err;
  bool exited = false;
  size_t lines_scanned = 0;  // for `ready: stdout`: bytes of stdout already searched
  std::chrono::steady_clock::time_point started;
  bool ready = false;                          // its `ready:` has been met
  std::optional<util::Pattern> ready_pattern;  // `ready: stdout`'s, compiled once
};

// The BPF observer for a scenario, or null where ptrace alone follows it; `line` says which and why
// (tracer_choice.cpp).
std::unique_ptr<observer::Observer> choose_tracer(const config::ScenarioSpec& spec, const RunContext& context,
                                                  const Containment& box, std::string& line);

class Supervisor {
 public:
  ~Supervisor() = default;
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  Supervisor(const config::ScenarioSpec& spec, const RunContext& context, const Containment& containment)
      : spec_(spec),
        context_(context),
        box_(containment),
        observer_(choose_tracer(spec, context, containment, tracer_line_)),
        filter_(context.trace_pipe_io, containment.tracked, observer_ != nullptr),
        // The build's programs (make, the compiler) are followed for containment, never judged.
        tracer_(result_.trace,
                context.is_build             ? std::string()
                : context.judged_dir.empty() ? context.work_dir.string()
                                             : context.judged_dir,
                context.inherit_stdio) {}

  // The whole run: set up, the loop, the end; what it gave.
  run::ScenarioResult run();

 private:
  struct Planned {
    const config::ProcessSpec* spec;
    int index;
  };

  enum class Stop {
    Limit,      // wall limit, deadlock, a flood: the run is stopped, and its cleanup is not charged
    Survivors,  // every started process has ended and the orphans' grace is over
    Interrupt,  // `run`: Ctrl-C
    Abandon,    // the observer lost records: this attempt is graded again under ptrace, so it ends now
  };

  // A program of the instructor's (`files:`), run directly or by an interpreter (`python3 tools/judge.py`):
  // its interpreter must not load code the submission put beside it or in the working folder. Python
  // gets no script folder or working folder on its import path (PYTHONSAFEPATH) and writes no bytecode
  // caches there; its own folder is on the path only when the run cannot write it (an instructor-only
  // folder: hand_over). Node looks in NODE_PATH for nothing.
  void instructor_program_environment(const std::vector<std::string>& argv,
                                      std::vector<std::string>& env) const {
    const std::optional<std::filesystem::path> program = instructor_program(argv);
    if (!program) return;
    std::erase_if(env, [](const std::string& e) {
      return e.rfind("PYTHONPATH=", 0) == 0 || e.rfind("NODE_PATH=", 0) == 0 ||
             e.rfind("PYTHONSAFEPATH=", 0) == 0;
    });
    env.push_back("PYTHONSAFEPATH=1");
    env.push_back("PYTHONDONTWRITEBYTECODE=1");
    const auto folder = program->parent_path();
    if (!folder.empty() &&
        runner::instructor_only_folder(context_.work_dir, folder, context_.instructor_files))
      env.push_back("PYTHONPATH=" + (context_.work_dir / folder).string());
  }

  std::uint64_t flood_bytes() const { return std::max<std::uint64_t>(16ULL << 20, 64 * spec_.limits.output); }

  // supervisor_loop.cpp: the run loop: it starts, watches, stops and waits.
  bool all_exited() const;
  Clock::time_point next_wake(Clock::time_point deadline) const;
  void install_wakeups();
  void arm_timer(Clock::duration in);
  bool outputs_open() const;
  void wait_for_events(Clock::time_point wake);
  void drain_outputs();
  void handle(pid_t pid, int status);
  bool handle_deferred();
  void reap();

  // supervisor_setup.cpp: what the run is held to, and what the report says of it.
  void set_up();
  void describe_enforcement();
  void name_the_limit();

  // supervisor_start.cpp: starting the processes in order, with their `ready:`.
  void launch_ready();
  bool gate_open();
  bool is_ready(Live& l, const config::Ready& ready, Clock::time_point since);
  bool ready_now(Live& l, const config::Ready& ready, Clock::time_point since);
  bool stdout_matches(Live& l, const std::string& pattern);
  std::optional<std::filesystem::path> instructor_program(const std::vector<std::string>& argv) const;
  void start(const Planned& planned);
  void rebind_streams();
  void note_never_started();
  void record_exit(pid_t pid, int status);

  // supervisor_stop.cpp: `signals:` steps, the grader's stop and the end of the run.
  void fire_signal_steps();
  bool step_due(const config::SignalStep& step);
  const config::ProcessSpec* plan_spec(const std::string& name) const;
  bool timed_step_pending() const;
  bool signalled(const std::string& name) const;
  config::StopSpec stop_of(const std::string& name) const;
  void begin_stop(Stop why);
  void announce_signal_wait();
  void finish();
  void note_survivors();

  const config::ScenarioSpec& spec_;
  const RunContext& context_;
  const Containment box_;
  std::optional<sandbox::Landlock> landlock_;
  std::unique_ptr<RunContainment> containment_;  // namespaces or tracked: made by set_up()
  std::optional<std::mt19937_64> schedule_;      // a run under a schedule perturbation
  int one_cpu_ = -1;                             // ... on this CPU only (-1: every CPU)
  std::vector<int> cpus_;                        // ... the CPUs the grader may use
  std::size_t next_cpu_ = 0;                     // ... spread: the next started process's, in turn
  std::optional<std::string> flood_;             // a process wrote far past the output limit and was stopped
  std::optional<TraceIndex> index_;              // the finished trace by object, for attributing leftovers
  struct Stopping {
    Clock::time_point kill_at;  // the end of the longest grace
    Stop why;
  };
  std::optional<Stopping> stopping_;                // the grader's stop is under way
  Clock::time_point next_loss_check_{};             // when the observer's drops are read next
  bool short_slice_ = false;                        // this process runs with a short time slice (set_up)
  std::optional<Clock::time_point> orphans_since_;  // every started process had ended by then
  std::set<size_t> fired_;                          // `signals:` steps already sent
  bool announced_wait_ = false;
  run::ScenarioResult result_;
  std::vector<Planned> plan_;
  std::vector<Live> live_;
  size_t next_ = 0;
  std::optional<size_t> gate_;  // the live process whose `ready:` holds back the next start
  Clock::time_point gate_since_;
  std::set<pid_t> ipc_ready_;  // runner-started processes (host pids) that created an IPC object
  Clock::time_point start_;
  Clock::time_point timer_at_;                    // when the armed SIGALRM fires
  std::string tracer_line_;                       // enforced.tracer: which tracer follows the run, and why
  std::unique_ptr<observer::Observer> observer_;  // the BPF observer, when it records the run's calls
  sandbox::SeccompFilter filter_;
  tracer::Tracer tracer_;
  tracer::Watchdog watchdog_;
  // Declared last: destroyed first, once finish() has ended every process of the run.
  // The working folder's tmpfs is charged to the memory cgroup of whoever writes it: the run may hold
  // its memory limit and its disk limit at once.
  sandbox::RunCgroup cgroup_{spec_.limits.processes,
                             spec_.limits.memory + (box_.mounts ? box_.mounts->disk_bytes : 0),
                             "ipcgrade-" + std::to_string(::getpid())};
};

}  // namespace ipcgrade::runner
