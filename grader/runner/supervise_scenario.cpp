// The scenario's supervisor: starts the processes in order, honours `ready:`, captures output, enforces
// the wall limit, then audits and reclaims what the run left in its IPC namespace. Runs inside the
// sandbox, in a process forked by run_scenario().
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statfs.h>
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
#include "grader/audit/journal.hpp"
#include "grader/audit/sysv.hpp"
#include "grader/runner/attribute_leftovers.hpp"
#include "grader/runner/scenario.hpp"
#include "grader/supervise/run_cgroup.hpp"
#include "grader/supervise/run_mounts.hpp"
#include "grader/supervise/spawn.hpp"
#include "grader/supervise/tracer.hpp"
#include "grader/supervise/watchdog.hpp"
#include "grader/trace/ipc_kind.hpp"
#include "grader/util/atomic_file.hpp"
#include "grader/util/cpus.hpp"
#include "grader/util/pattern.hpp"
#include "grader/util/signals.hpp"
#include "grader/util/text.hpp"
#include "grader/util/units.hpp"

namespace ipcgrade::run {

namespace {

constexpr long kMqueueMagic = 0x19800202;  // statfs f_type of an mqueue filesystem (linux/magic.h lacks it)

using Clock = std::chrono::steady_clock;

volatile sig_atomic_t output_pending = 0;  // set by SIGIO: a program wrote to stdout or stderr
// `run`: Ctrl-C. 1 when the terminal sent it (to the whole foreground process group, the program
// included), 2 when it came from elsewhere (kill -INT), and the supervisor forwards it.
volatile sig_atomic_t interrupt_pending = 0;

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

class Supervisor {
 public:
  ~Supervisor() {
    if (mqueue_root_ >= 0) ::close(mqueue_root_);
  }
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  Supervisor(const config::ScenarioSpec& spec, const RunContext& context, const Containment& containment)
      : spec_(spec),
        context_(context),
        box_(containment),
        filter_(context.trace_pipe_io, containment.tracked),
        // The build's programs (make, the compiler) are followed for containment, never judged.
        tracer_(result_.trace,
                context.is_build             ? std::string()
                : context.judged_dir.empty() ? context.work_dir.string()
                                             : context.judged_dir,
                context.inherit_stdio) {}

  ScenarioResult run() {
    result_.name = spec_.name;
    result_.visibility = spec_.visibility;
    result_.mode = box_.tracked ? "tracked" : "namespaces";
    result_.mode_reason = box_.mode_reason;
    if (box_.tracked) {
      tracer_.set_guard(true, {context_.work_dir.string(), box_.private_tmp.string()});
      journal_.emplace(box_.run_as ? static_cast<long>(*box_.run_as) : static_cast<long>(::geteuid()));
      if (!journal_->ok()) spdlog::warn("{}", journal_->error());
      // A uid of the run's own owns nothing else: every object it created is the run's, seen made or not.
      if (box_.run_as) journal_->record_uid();
      tracer_.on_created([this](trace::IpcKind kind, int id, long key) {
        if (!journaled_.insert({kind, id}).second) return;
        journal_->record(std::string(trace::ipc_kind_name(kind)), id, key);
      });
    }
    // Grading (not `run`, whose program is the caller's own): a Landlock domain for every program.
    if (context_.drop_privileges && !box_.private_tmp.empty()) {
      landlock_.emplace();
      // Of /etc, what the sandbox's root gives (new_root.cpp): where the run is root (a container's,
      // with no uid of its own), all of /etc would include /etc/shadow.
      landlock_->read_only = {"/usr",
                              "/bin",
                              "/sbin",
                              "/lib",
                              "/lib32",
                              "/lib64",
                              "/libx32",
                              "/etc/passwd",
                              "/etc/group",
                              "/etc/nsswitch.conf",
                              "/etc/hosts",
                              "/etc/hostname",
                              "/etc/ld.so.cache",
                              "/etc/ld.so.conf",
                              "/etc/ld.so.conf.d",
                              "/etc/localtime",
                              "/etc/timezone",
                              "/etc/alternatives",
                              "/proc",
                              "/sys",
                              "/dev"};
      landlock_->read_write = {context_.work_dir.string(), box_.private_tmp.string(), "/dev/shm"};
      landlock_->queues = {"/dev/mqueue"};
      // mq_open opens its queue on the IPC namespace's mqueue filesystem, which Landlock refuses unless a
      // rule covers that filesystem's root: the run's /dev/mqueue in namespaces mode, the host's where it
      // is mounted, else one mounted for a moment and held by a descriptor.
      struct statfs fs {};
      if (box_.tracked && (::statfs("/dev/mqueue", &fs) != 0 || fs.f_type != kMqueueMagic)) {
        const auto dir = context_.work_dir.parent_path() / "mqueue";
        std::error_code ec;
        std::filesystem::create_directory(dir, ec);
        mqueue_root_ = supervise::Landlock::mqueue_root(dir.string());
        std::filesystem::remove(dir, ec);
        if (mqueue_root_ >= 0) landlock_->queue_fds.push_back(mqueue_root_);
      }
      landlock_->devices = {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty"};
      landlock_->symlinks = !box_.tracked;
    }
    // Grading in tracked mode: where Landlock holds the run's writes its refusals are listed; where the
    // kernel has none, the names the run makes outside its folders are recorded and removed at the end
    // (`run`'s program is the caller's own, and so are the files it writes).
    if (box_.tracked && context_.drop_privileges) {
      const bool landlock = landlock_ && supervise::Landlock::abi() > 0;
      tracer_.set_write_refusals(landlock);
      names_outside_ = !landlock;
      tracer_.set_record_names(!landlock, static_cast<long>(::time(nullptr)));
      tracer_.on_created_file([this](const supervise::Tracer::CreatedFile& made) {
        journal_->record_file(made.path, made.dev, made.ino);
      });
    }
    // Nothing else holds the process limit here (root in a container without cgroups): the tracer does.
    if (cgroup_.pids_enforcer().empty() && !box_.run_as)
      tracer_.set_max_tasks(static_cast<size_t>(spec_.limits.processes));
    // Detached segments are counted by no RLIMIT_AS, and by no cgroup where there is none: by the tracer,
    // in every mode, so that the same program meets the same limit everywhere.
    tracer_.set_shared_memory_limit(spec_.limits.memory);
    tracer_.set_want_results(context_.trace_ipc_results);
    tracer_.set_max_events(static_cast<size_t>(spec_.limits.trace_events), spec_.limits.trace_bytes);
    describe_enforcement();
    if (context_.schedule_seed) {
      // The perturbation, from the seed alone: where the programs run, their priorities (drawn at each
      // start, in order) and which of their stops are held (the tracer's).
      schedule_.emplace(*context_.schedule_seed);
      cpus_ = util::usable_cpus();
      const auto n = cpus_.size();
      // A third of the runs packed on one CPU (time slices interleave the processes at random points),
      // two thirds spread (a parent and its child truly run at once): by the seed itself, so that any 5
      // consecutive seeds hold at least 3 spread runs and at least 1 packed one. Spread means pinned to
      // CPUs in turn, not left to the kernel: with every CPU busy with other work (even at nice 19) the
      // kernel wakes a new child beside its parent, the two take turns, and a race between them is
      // never seen.
      (*schedule_)();
      const bool one = n > 1 && *context_.schedule_seed % 3 == 0;
      one_cpu_ = one ? cpus_[(*schedule_)() % n] : -1;
      if (!one && n > 1) next_cpu_ = *context_.schedule_seed % n;
      tracer_.set_chaos((*schedule_)(), one || n < 2 ? std::vector<int>{} : cpus_);
      result_.enforced["schedule"] = fmt::format(
          "seed {}: {}, priorities shuffled, a parent and its new child started together, some IPC calls "
          "held up to 20 ms",
          *context_.schedule_seed,
          one     ? fmt::format("every process on CPU {}", one_cpu_)
          : n > 1 ? "each process on a CPU of its own in turn (a new child on the one after its parent's)"
                  : "on the one CPU");
    }
    for (const auto& p : spec_.processes) {
      for (int i = 0; i < p.count; ++i) plan_.push_back({&p, i});
    }
    install_wakeups();
    // A built submission larger than this scenario's disk: nothing can run.
    if (box_.mounts && !box_.mounts->copied().error.empty()) plan_.clear();

    start_ = Clock::now();
    const auto deadline = start_ + spec_.limits.wall;
    auto next_sample = start_ + supervise::Watchdog::kInterval;
    watchdog_.set_terminal(context_.inherit_stdio && ::isatty(0));
    for (;;) {
      if (!stopping_) launch_ready();
      fire_signal_steps();
      const auto now = Clock::now();
      const bool started_ended = next_ == plan_.size() && all_exited();
      // The end: every traced process is gone (the runner's, and whatever they forked).
      if ((started_ended || stopping_) && tracer_.live_pids().empty()) break;
      if (stopping_) {
        // The grace is over (or Ctrl-C came again): finish() kills what is left.
        if (now >= stopping_->kill_at || interrupt_pending) break;
      } else if (interrupt_pending) {
        begin_stop(Stop::Interrupt);
      } else if (started_ended) {
        // Orphans (children of processes that have ended): they get limits.orphan_grace to finish, or
        // less when every one of them waits on another with no way forward.
        if (!orphans_since_) orphans_since_ = now;
        bool stuck = false;
        if (now >= next_sample) {
          next_sample = now + supervise::Watchdog::kInterval;
          stuck = !context_.is_build && watchdog_.sample(tracer_).has_value();
        }
        if (stuck || now >= *orphans_since_ + spec_.limits.orphan_grace || now >= deadline)
          begin_stop(Stop::Survivors);
      } else if (now >= deadline) {
        result_.outcome = Outcome::Timeout;
        result_.outcome_detail = "wall limit " + util::format_duration(spec_.limits.wall);
        begin_stop(Stop::Limit);
      } else if (flood_) {
        begin_stop(Stop::Limit);
      } else if (now >= next_sample) {
        // Only once every process has started: a run waiting for its next start is not stuck. Nor is
        // one that a `signals:` step will wake at a set time.
        next_sample = now + supervise::Watchdog::kInterval;
        std::optional<std::string> deadlock;
        if (next_ == plan_.size() && !context_.is_build && !timed_step_pending() &&
            (deadlock = watchdog_.sample(tracer_))) {
          result_.outcome = Outcome::Deadlock;
          result_.outcome_detail = *deadlock;
          result_.blocked = watchdog_.blocked();
          begin_stop(Stop::Limit);
        }
        announce_signal_wait();
      }
      auto wake = std::min(next_wake(deadline), next_sample);
      if (stopping_) wake = std::min(wake, stopping_->kill_at);
      if (orphans_since_ && !stopping_) wake = std::min(wake, *orphans_since_ + spec_.limits.orphan_grace);
      wait_for_events(wake);
    }
    result_.seconds = std::chrono::duration<double>(Clock::now() - start_).count();
    finish();
    name_the_limit();
    result_.trace_dropped = tracer_.dropped();
    result_.refused = tracer_.refusals();
    return std::move(result_);
  }

 private:
  // The report's `enforced`: which mechanism holds each limit in this run.
  void describe_enforcement() {
    auto& e = result_.enforced;
    const auto& lim = spec_.limits;
    e["wall"] = fmt::format(
        "{}: the supervisor stops the whole run (each process's stop signal, its grace, then "
        "SIGKILL)",
        util::format_duration(lim.wall));
    e["cpu"] = fmt::format("{} per process: RLIMIT_CPU", util::format_duration(lim.cpu));
    e["memory"] =
        fmt::format("{}: RLIMIT_AS per process; System V shared memory the run makes, by the tracer",
                    util::format_size(lim.memory));
    if (!cgroup_.memory_enforcer().empty())
      e["memory"] += "; " + cgroup_.memory_enforcer() + " for the whole run";
    e["processes"] =
        !cgroup_.pids_enforcer().empty() ? fmt::format("{}: {}", lim.processes, cgroup_.pids_enforcer())
        : box_.run_as                    ? fmt::format("{}: RLIMIT_NPROC of the run's uid", lim.processes)
                                         : fmt::format(
                                               "{}: the tracer refuses forks past it (no pids cgroup and no uid of the run's "
                                                                  "own here)",
                                               lim.processes);
    e["output"] = fmt::format("{} per stream: the supervisor keeps that much", util::format_size(lim.output));
    e["file_size"] = fmt::format("{}: RLIMIT_FSIZE", util::format_size(lim.file_size));
    e["open_files"] = fmt::format("{}: RLIMIT_NOFILE", lim.open_files);
    e["trace_events"] = fmt::format("{} distinct calls and {} recorded at most; repeats are counted",
                                    lim.trace_events, util::format_size(lim.trace_bytes));
    e["core_dumps"] = "none: RLIMIT_CORE 0";
    e["network"] = box_.tracked
                       ? "only Unix sockets (seccomp), reaching only the run's own folders (the tracer)"
                       : "network namespace without interfaces";
    for (const auto& [name, line] : box_.root_lines) e[name] = line;
    e["disk"] =
        box_.mounts && box_.mounts->disk_bytes
            ? fmt::format("{}: the working folder is a tmpfs of that size", util::format_size(lim.disk))
        : box_.tracked ? "not enforced (tracked mode: the working folder is on the host's disk)"
                       : "not enforced (the working folder is the caller's own)";
    e["landlock"] = landlock_ ? landlock_->describe() : "not used (the caller's own program)";
    e["environment"] = context_.env ? fmt::format("clean: {} variables (PATH, HOME, LANG, TMPDIR and env:)",
                                                  context_.env->size())
                                    : "the caller's own";
    // The instructor's `files:` are safe from the run only where it has a uid of its own: owned by the
    // grader, in folders the run cannot rename. A run with the grader's uid (root in a container) owns them.
    if (!context_.instructor_files.empty()) {
      e["instructor_files"] =
          box_.run_as ? "read-only to the run: the grader's, in folders the run cannot rename"
                      : "writable by the run: it has the grader's uid here (no uid of its own), so it could "
                        "replace an instructor's program in the working folder";
      if (!context_.private_files.empty()) {
        e["instructor_files"] +=
            (box_.judge_as ? fmt::format("; the private ones ({}) unreadable by it: the "
                                         "instructor's programs run as uid {} to read them",
                                         context_.private_files.size(), *box_.judge_as)
                           : fmt::format("; the private ones ({}) readable by it too: "
                                         "the instructor's programs have its uid here",
                                         context_.private_files.size()));
      }
    }
    e["uid"] = box_.run_as ? fmt::format("{} (the run's own)", *box_.run_as)
                           : fmt::format("{} (the grader's)", ::geteuid());
    e["files"] =
        !box_.tracked ? "a root of its own: only the system folders (read-only) and the working folder"
        : landlock_ && supervise::Landlock::abi() > 0
            ? "the host's, as Landlock allows: the system folders to read, the run's own folders to write"
        : box_.run_as ? "the host's, with the run's uid: it may read and write only where anyone may"
                      : "not isolated (tracked mode with the grader's uid)";
  }

  // Names the limit the run ran into, so the outcome says "memory limit 256 MiB", not a bare kill.
  // The first limit that explains what happened wins; a later wall limit is mentioned after it.
  void name_the_limit() {
    const auto& lim = spec_.limits;
    std::optional<std::string> hit = flood_;
    // A fork bomb also fills the memory cgroup with the kernel's bookkeeping: the process limit is the
    // cause to name.
    if (!hit && cgroup_.pids_limit_hit())
      hit = fmt::format("process limit {}: forks were refused ({})", lim.processes, cgroup_.pids_enforcer());
    if (!hit && tracer_.forks_refused() > 0)
      hit = fmt::format("process limit {}: forks were refused by the tracer", lim.processes);
    auto who = [](const ProcessResult& p) { return util::process_label(p.name, p.pid, p.index); };
    // The working folder's files live in memory too: a full folder is the cause even when the memory
    // cgroup also filled.
    if (!hit && box_.mounts) {
      if (auto full = box_.mounts->full()) {
        hit = fmt::format("disk limit {}: {}", util::format_size(lim.disk), *full);
        if (!box_.mounts->copied().error.empty()) {
          *hit += "; the built submission does not fit, so nothing was run";
        } else {
          for (const auto& p : result_.processes) {
            if (p.killed_by_grader || (!p.signal && p.exit_code.value_or(0) == 0)) continue;
            *hit += fmt::format("; {} could not write past it and {}", who(p),
                                p.signal ? fmt::format("was killed by signal {}", *p.signal)
                                         : fmt::format("exited with code {}", *p.exit_code));
            break;
          }
        }
      }
    }
    if (!hit && cgroup_.memory_limit_hit()) {
      std::string victim = "a process of the run";
      for (const auto& p : result_.processes) {
        if (p.signal && *p.signal == SIGKILL && !p.killed_by_grader) victim = who(p);
      }
      hit = fmt::format("memory limit {}: the run used it up and the kernel killed {} ({})",
                        util::format_size(lim.memory), victim, cgroup_.memory_enforcer());
    }
    // An allocation refused is the limit at work only when the program did not get over it.
    bool any_failed = result_.outcome == Outcome::Timeout;
    for (const auto& p : result_.processes)
      any_failed = any_failed || p.signal || p.exit_code.value_or(0) != 0;
    if (!hit && any_failed && !tracer_.memory_refusals().empty()) {
      const auto& r = tracer_.memory_refusals().front();
      hit = fmt::format("memory limit {}: {} was refused {}{}", util::format_size(lim.memory),
                        util::process_label(r.process, r.pid, r.index),
                        r.bytes ? util::approx_size(r.bytes) + " " : "",
                        fmt::format("({} failed with ENOMEM)", r.call));
    }
    for (const auto& p : result_.processes) {
      if (hit || !p.signal) continue;
      if (*p.signal == SIGXCPU)
        hit = fmt::format("cpu limit {}: {} used it up", util::format_duration(lim.cpu), who(p));
      if (*p.signal == SIGXFSZ)
        hit = fmt::format("file size limit {}: {} wrote past it", util::format_size(lim.file_size), who(p));
    }
    if (!hit || result_.outcome == Outcome::Deadlock || result_.outcome == Outcome::CrashedGrader) return;
    if (result_.outcome == Outcome::Timeout) *hit += "; then the wall limit";
    result_.outcome = Outcome::Limit;
    result_.outcome_detail = *hit;
  }

  struct Planned {
    const config::ProcessSpec* spec;
    int index;
  };

  void launch_ready() {
    while (next_ < plan_.size() && gate_open()) {
      start(plan_[next_]);
      ++next_;
    }
  }

  // Whether the process started last lets the next one start.
  bool gate_open() {
    if (!gate_) return true;
    const bool open = is_ready(live_[*gate_], plan_[next_ - 1].spec->ready, gate_since_);
    if (open) gate_.reset();
    return open;
  }

  // Whether a started process has become ready as its `ready:` says (started at `since`). Once ready,
  // always ready: a `stdout` pattern reads each line once, and a `signals:` step may ask after the gate.
  bool is_ready(Live& l, const config::Ready& ready, Clock::time_point since) {
    if (!l.ready) l.ready = ready_now(l, ready, since);
    return l.ready;
  }

  bool ready_now(Live& l, const config::Ready& ready, Clock::time_point since) {
    switch (ready.kind) {
      case config::Ready::Kind::AtOnce:
        return true;
      case config::Ready::Kind::Exit:
        return l.exited;
      case config::Ready::Kind::Delay:
        return Clock::now() >= since + ready.delay;
      case config::Ready::Kind::Ipc:
        // Set by the tracer the moment a msgget/shmget/semget with IPC_CREAT of this process (or of
        // a process it started) returned.
        for (pid_t root : tracer_.take_ipc_creators()) ipc_ready_.insert(root);
        return l.exited || ipc_ready_.count(l.pid) > 0;
      case config::Ready::Kind::Stdout:
        return l.exited || stdout_matches(l, ready.pattern);
      case config::Ready::Kind::Path: {
        // The name as the programs see it: relative to the working folder, which is the grader's path too.
        const std::string name = context_.expand ? context_.placeholders.expand(ready.path) : ready.path;
        const std::filesystem::path where = std::filesystem::path(name).is_absolute()
                                                ? std::filesystem::path(name)
                                                : context_.work_dir / name;
        std::error_code ec;
        return l.exited || std::filesystem::exists(std::filesystem::symlink_status(where, ec));
      }
    }
    return false;
  }

  // `signals:` steps whose moment has come send their signal to every live process of that name.
  void fire_signal_steps() {
    for (size_t i = 0; i < spec_.signals.size(); ++i) {
      const auto& step = spec_.signals[i];
      if (fired_.count(i) || !step_due(step)) continue;
      fired_.insert(i);
      for (auto& l : live_) {
        auto& pr = result_.processes[l.result];
        if (l.exited || pr.name != step.to) continue;
        ::kill(l.pid, step.signal);
        pr.sent_signal = step.signal;
        spdlog::debug("scenario '{}': sent {} to {} #{}", spec_.name, util::signal_name(step.signal), pr.name,
                      pr.index);
      }
    }
  }

  bool step_due(const config::SignalStep& step) {
    using After = config::SignalStep::After;
    if (step.after == After::Delay) return Clock::now() >= start_ + step.delay;
    // Every process of that name must have started (or failed to): one not started yet is to come.
    for (size_t k = next_; k < plan_.size(); ++k) {
      if (plan_[k].spec->name == step.process) return false;
    }
    bool any = false;
    for (auto& l : live_) {
      const auto& pr = result_.processes[l.result];
      if (pr.name != step.process) continue;
      any = true;
      if (step.after == After::Exit && !l.exited) return false;
      if (step.after == After::Ready) {
        const auto* spec = plan_spec(pr.name);
        if (spec && is_ready(l, spec->ready, l.started)) return true;
      }
    }
    return step.after == After::Exit || !any;
  }

  const config::ProcessSpec* plan_spec(const std::string& name) const {
    for (const auto& p : spec_.processes) {
      if (p.name == name) return &p;
    }
    return nullptr;
  }

  // A step that fires at a set time is still to come: the run is not stuck while it waits for it.
  bool timed_step_pending() const {
    for (size_t i = 0; i < spec_.signals.size(); ++i) {
      if (!fired_.count(i) && spec_.signals[i].after == config::SignalStep::After::Delay) return true;
    }
    return false;
  }

  // Whether a `signals:` step has sent its signal to a process of this name (or the one it descends from).
  bool signalled(const std::string& name) const {
    return std::any_of(result_.processes.begin(), result_.processes.end(),
                       [&](const ProcessResult& p) { return p.name == name && p.sent_signal; });
  }

  // How the grader ends a process of this name: its `stop:`, or SIGTERM with a grace of 500 ms.
  config::StopSpec stop_of(const std::string& name) const {
    const auto* spec = plan_spec(name);
    return spec ? spec->stop : config::StopSpec{};
  }

  enum class Stop {
    Limit,      // wall limit, deadlock, a flood: the run is stopped, and its cleanup is not charged
    Survivors,  // every started process has ended and the orphans' grace is over
    Interrupt,  // `run`: Ctrl-C
  };

  // The grader's stop: each live process gets its stop signal (the terminal already sent Ctrl-C's) and
  // its grace, still traced, so that a handler can remove what it made and flush its output; the loop
  // then ends when they have all gone or the longest grace is over, and finish() kills the rest.
  void begin_stop(Stop why) {
    // Processes past their orphans' grace are survivors; those a limit or a deadlock stopped are the
    // run's, stopped with it (the exit check charges that once); after Ctrl-C, only those still running
    // when the grace ends (finish()).
    if (why == Stop::Survivors) note_survivors();
    config::Millis grace{0};
    for (const auto& l : tracer_.live()) {
      if (l.thread) continue;
      const config::StopSpec stop = stop_of(l.name);
      // Its cleanup is excused only where it had no fair chance: the assignment did not ask it to end on
      // a signal of its own (`stop:` with a grace), and no `signals:` step had told it to end already.
      if (why == Stop::Limit && !(stop.given && stop.grace.count() > 0) && !signalled(l.name))
        result_.stopped.push_back(l.pid);
      grace = std::max(grace, stop.grace);
      if (why == Stop::Interrupt) {
        if (interrupt_pending == 2) ::kill(l.host_pid, SIGINT);
        continue;
      }
      ::kill(l.host_pid, stop.grace.count() > 0 ? stop.signal : SIGKILL);
    }
    if (why == Stop::Interrupt) grace = stop_of(spec_.processes.front().name).grace;
    if (why == Stop::Limit) {
      for (auto& l : live_) {
        if (!l.exited) result_.processes[l.result].killed_by_grader = true;
      }
    }
    interrupt_pending = 0;
    stopping_ = Stopping{Clock::now() + grace, why};
  }

  // `run` at a terminal: a program that waits for a signal is waiting for the user; say so once.
  void announce_signal_wait() {
    if (announced_wait_ || !watchdog_.signal_wait()) return;
    announced_wait_ = true;
    const std::string line = fmt::format("==ipcgrade== {} waits for a signal: press Ctrl-C\n",
                                         util::escape_controls(*watchdog_.signal_wait()));
    [[maybe_unused]] const ssize_t n = ::write(2, line.data(), line.size());
  }

  // A line of its output (it ends with a newline) matches `ready: stdout`'s pattern. RE2: a 60 KB line
  // from the program takes time linear in its length and no recursion.
  bool stdout_matches(Live& l, const std::string& pattern) {
    const std::string& text = result_.processes[l.result].stdout_text;
    if (!l.ready_pattern || l.ready_pattern->text() != pattern) {
      l.ready_pattern = util::Pattern::compile(pattern, nullptr);  // checked when the file was read
      if (!l.ready_pattern) return false;
    }
    size_t eol;
    while ((eol = text.find('\n', l.lines_scanned)) != std::string::npos) {
      const std::string_view line(text.data() + l.lines_scanned, eol - l.lines_scanned);
      l.lines_scanned = eol + 1;
      if (l.ready_pattern->found_in(line)) return true;
    }
    return false;
  }

  // The instructor's file a command runs (`./tools/judge`, `python3 tools/judge.py`), if any.
  std::optional<std::filesystem::path> instructor_program(const std::vector<std::string>& argv) const {
    std::optional<std::filesystem::path> program;
    for (const auto& word : argv) {
      const auto relative = std::filesystem::path(word).lexically_normal();
      for (const auto& file : context_.instructor_files) {
        if (relative == std::filesystem::path(file).lexically_normal()) program = relative;
      }
    }
    return program;
  }

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
    if (!folder.empty() && run::instructor_only_folder(context_.work_dir, folder, context_.instructor_files))
      env.push_back("PYTHONPATH=" + (context_.work_dir / folder).string());
  }

  void start(const Planned& planned) {
    config::Placeholders ph = context_.placeholders;
    ph.index = planned.index;
    ProcessResult pr;
    pr.name = planned.spec->name;
    pr.index = planned.index;
    for (const auto& word : planned.spec->argv) pr.argv.push_back(context_.expand ? ph.expand(word) : word);
    supervise::SpawnRequest req;
    req.argv = pr.argv;
    req.cwd = context_.work_dir;
    req.limits = spec_.limits;
    req.filter = &filter_;
    req.inherit_stdio = context_.inherit_stdio;
    req.cgroup = &cgroup_;
    req.run_as = box_.run_as;
    if (box_.judge_as && instructor_program(pr.argv)) {
      // The instructor's program, with the private files: a uid of its own, the run's group besides.
      req.run_as = box_.judge_as;
      req.also_group = static_cast<gid_t>(*box_.run_as);
    }
    req.mount_namespace = box_.mount_namespace;
    req.env = context_.env;
    if (req.env) instructor_program_environment(pr.argv, *req.env);
    req.merge_stderr = context_.is_build;
    req.drop_capabilities = context_.drop_privileges && !box_.run_as && ::geteuid() == 0;
    if (landlock_) req.landlock = &*landlock_;
    if (schedule_) {
      req.cpu = one_cpu_;
      if (one_cpu_ < 0 && cpus_.size() > 1) req.cpu = cpus_[next_cpu_++ % cpus_.size()];
      req.nice = static_cast<int>((*schedule_)() % 8);
    }
    if (planned.spec->stdin_text) req.stdin_data = ph.expand(*planned.spec->stdin_text);
    if (planned.spec->stdin_file) req.stdin_data = ph.expand(util::read_file(*planned.spec->stdin_file));
    const supervise::Spawned s = supervise::spawn(req);
    if (s.pid < 0) {
      pr.start_error = s.error;
      spdlog::debug("scenario '{}': {} #{} did not start: {}", spec_.name, pr.name, pr.index, s.error);
      result_.processes.push_back(std::move(pr));
      return;  // nothing to wait for: the next process may start
    }
    pr.started = true;
    pr.host_pid = s.pid;
    pr.pid = s.inner_pid;
    spdlog::debug("scenario '{}': started {} #{} as pid {} (host pid {})", spec_.name, pr.name, pr.index,
                  pr.pid, pr.host_pid);
    tracer_.adopt(s.pid, s.inner_pid, pr.name, pr.index);
    result_.processes.push_back(std::move(pr));
    Live l;
    l.result = result_.processes.size() - 1;
    l.pid = s.pid;
    l.out.fd = s.stdout_fd;
    l.err.fd = s.stderr_fd;
    l.started = Clock::now();
    live_.push_back(l);
    rebind_streams();
    if (planned.spec->ready.kind != config::Ready::Kind::AtOnce) {
      gate_ = live_.size() - 1;
      gate_since_ = Clock::now();
    }
  }

  // Streams point into result_.processes, which may have moved when it grew.
  void rebind_streams() {
    for (auto& l : live_) {
      auto& pr = result_.processes[l.result];
      l.out.text = &pr.stdout_text;
      l.out.cut = &pr.stdout_cut;
      l.err.text = &pr.stderr_text;
      l.err.cut = &pr.stderr_cut;
    }
  }

  bool all_exited() const {
    for (const auto& l : live_) {
      if (!l.exited) return false;
    }
    return true;
  }

  Clock::time_point next_wake(Clock::time_point deadline) const {
    auto wake = deadline;
    if (const auto held = tracer_.next_held()) wake = std::min(wake, *held);
    for (size_t i = 0; i < spec_.signals.size(); ++i) {
      if (!fired_.count(i) && spec_.signals[i].after == config::SignalStep::After::Delay)
        wake = std::min(wake, start_ + spec_.signals[i].delay);
    }
    if (gate_ && next_ < plan_.size()) {
      const auto& ready = plan_[next_ - 1].spec->ready;
      if (ready.kind == config::Ready::Kind::Delay) wake = std::min(wake, gate_since_ + ready.delay);
    }
    return wake;
  }

  // The loop blocks in waitpid, like strace: every ptrace stop costs one waitpid, not a poll, a
  // signalfd read and a waitpid. What else can need attention interrupts it: SIGIO when a program
  // writes output (the pipes are O_ASYNC), SIGALRM at the next deadline — and, while output pipes
  // are open, every 20 ms, so that a SIGIO that lands just before waitpid is never waited out.
  void install_wakeups() {
    struct sigaction sa {};
    sa.sa_handler = [](int sig) {
      if (sig == SIGIO) output_pending = 1;
    };
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: the signal must interrupt waitpid
    ::sigaction(SIGIO, &sa, nullptr);
    ::sigaction(SIGALRM, &sa, nullptr);
    if (!context_.inherit_stdio) return;
    // `run`: Ctrl-C is for the program, and ends the run after the program's grace.
    struct sigaction ctrl_c {};
    ctrl_c.sa_sigaction = [](int, siginfo_t* info, void*) {
      interrupt_pending = info->si_code == SI_KERNEL ? 1 : 2;
    };
    sigemptyset(&ctrl_c.sa_mask);
    ctrl_c.sa_flags = SA_SIGINFO;
    ::sigaction(SIGINT, &ctrl_c, nullptr);
  }

  // Arms SIGALRM for `in` from now, unless it is already armed for no later than that: re-arming on
  // every ptrace stop would add a system call to the hot path.
  void arm_timer(Clock::duration in) {
    const auto at = Clock::now() + in;
    if (timer_at_ > Clock::now() && timer_at_ <= at) return;
    const auto us =
        std::max<long long>(std::chrono::duration_cast<std::chrono::microseconds>(in).count(), 100);
    // Then again every 50 ms until re-armed: a SIGALRM that fires while the supervisor is not yet in
    // waitpid (a deadline already due, a busy machine) interrupts nothing, and a one-shot timer would
    // leave waitpid blocked for good when no process of the run has anything more to report.
    itimerval t{{0, 50000}, {static_cast<time_t>(us / 1000000), static_cast<suseconds_t>(us % 1000000)}};
    ::setitimer(ITIMER_REAL, &t, nullptr);
    timer_at_ = at;
  }

  bool outputs_open() const {
    for (const auto& l : live_) {
      if (l.out.fd >= 0 || l.err.fd >= 0) return true;
    }
    return false;
  }

  void wait_for_events(Clock::time_point wake) {
    auto in = wake - Clock::now();
    if (outputs_open()) in = std::min<Clock::duration>(in, std::chrono::milliseconds(20));
    arm_timer(in);
    int status;
    if (handle_deferred()) {
      tracer_.resume_due();
      drain_outputs();
      return;
    }
    const pid_t pid = output_pending ? 0 : ::waitpid(-1, &status, __WALL);
    if (pid > 0) {
      handle(pid, status);  // more stops are collected by the next waitpid, which returns at once
    } else if (pid < 0 && errno == ECHILD) {
      // Nothing runs (a `ready:` delay after a process that already ended): wait for the timer.
      ::pause();
    }
    output_pending = 0;
    tracer_.resume_due();
    drain_outputs();
  }

  void drain_outputs() {
    for (auto& l : live_) {
      for (Stream* s : {&l.out, &l.err}) {
        if (s->fd >= 0 && !s->drain(spec_.limits.output)) s->close();  // end of file
        // Output past the limit is dropped, but a program that floods it would keep the grader
        // reading until the wall limit: far past it, the run is stopped.
        if (!flood_ && *s->cut > flood_bytes()) {
          const auto& pr = result_.processes[l.result];
          flood_ = fmt::format("output cut at {}: {} wrote {} more to {} and was stopped",
                               util::format_size(spec_.limits.output),
                               util::process_label(pr.name, pr.pid, pr.index), util::approx_size(*s->cut),
                               s == &l.out ? "stdout" : "stderr");
        }
      }
    }
  }

  std::uint64_t flood_bytes() const { return std::max<std::uint64_t>(16ULL << 20, 64 * spec_.limits.output); }

  void handle(pid_t pid, int status) {
    if (WIFSTOPPED(status)) {
      tracer_.on_stop(pid, status);
    } else {
      tracer_.on_exit(pid, status);
      record_exit(pid, status);
    }
  }

  // Handles the stops the tracer collected itself (hold_others); whether there were any.
  bool handle_deferred() {
    pid_t pid;
    int status;
    bool any = false;
    while (tracer_.take_deferred(pid, status)) {
      handle(pid, status);
      any = true;
    }
    return any;
  }

  void reap() {
    handle_deferred();
    int status;
    pid_t pid;
    while ((pid = ::waitpid(-1, &status, WNOHANG | __WALL)) > 0) handle(pid, status);
  }

  void record_exit(pid_t pid, int status) {
    for (auto& l : live_) {
      if (l.pid != pid || l.exited) continue;
      l.exited = true;
      auto& pr = result_.processes[l.result];
      if (WIFEXITED(status)) pr.exit_code = WEXITSTATUS(status);
      if (WIFSIGNALED(status)) pr.signal = WTERMSIG(status);
      // The tracer has just recorded its end, with the fault it died of, if any.
      const auto& events = result_.trace.events;
      for (size_t back = 0; back < std::min<size_t>(events.size(), 8); ++back) {
        const trace::Event& e = events[events.size() - 1 - back];
        if (e.kind != trace::EventKind::Exit || e.host_pid != pid) continue;
        pr.crash = crash_of(e);
        break;
      }
    }
  }

  // Ends the run: kills whatever is left (daemons, the wall-limit case), collects the last output, and
  // audits and reclaims the run's IPC objects.
  // The processes whose turn never came: the one before them never became ready before the run ended.
  // Each is in the result, not started, with why: a check that names it fails instead of judging nothing.
  void note_never_started() {
    if (next_ >= plan_.size()) return;
    std::string why = "the run ended before its turn came";
    if (next_ > 0 && gate_) {
      const Planned& before = plan_[next_ - 1];
      const auto& gate = result_.processes[live_[*gate_].result];
      const std::string& printed = gate.stdout_text;
      const std::string said =
          printed.empty()
              ? "it printed nothing"
              : fmt::format("its output was {}", util::escape_controls(printed.substr(0, 80), true));
      const config::Ready& ready = before.spec->ready;
      const std::string waited =
          ready.kind == config::Ready::Kind::Ipc    ? "ready: ipc: it made no IPC object"
          : ready.kind == config::Ready::Kind::Exit ? "ready: exit: it never exited"
          : ready.kind == config::Ready::Kind::Stdout
              ? fmt::format("ready: stdout '{}' never matched; {}", util::escape_controls(ready.pattern),
                            said)
          : ready.kind == config::Ready::Kind::Path
              ? fmt::format("ready: path '{}' never appeared", util::escape_controls(ready.path))
              : "its ready: delay had not passed";
      why = fmt::format("{} never became ready ({})", util::process_label(gate.name, gate.pid, gate.index),
                        waited);
    }
    for (size_t k = next_; k < plan_.size(); ++k) {
      ProcessResult pr;
      pr.name = plan_[k].spec->name;
      pr.index = plan_[k].index;
      pr.never_reached = true;
      pr.start_error = why;
      result_.processes.push_back(std::move(pr));
    }
    next_ = plan_.size();
  }

  void finish() {
    handle_deferred();  // an end the tracer collected is recorded before the kill
    note_never_started();
    if (stopping_ && stopping_->why == Stop::Interrupt) note_survivors();
    for (auto& l : live_) {
      if (!l.exited) result_.processes[l.result].killed_by_grader = true;
    }
    // Stopped before any is killed: a process with SIGKILL pending no longer stops for its tracer.
    if (box_.tracked) settle_tracked_run();
    for (auto& l : live_) {
      if (!l.exited) ::kill(l.pid, SIGKILL);
    }
    if (box_.tracked) {
      kill_tracked_run();
    } else {
      ::kill(box_.init, SIGKILL);
    }
    int status;
    pid_t pid;
    while ((pid = ::waitpid(-1, &status, __WALL)) > 0 || (pid < 0 && errno == EINTR)) {
      if (pid <= 0) continue;
      // A stop that raced with SIGKILL: the end follows. In tracked mode it may be a child forked
      // a moment before the kill, which nothing else would take down.
      if (WIFSTOPPED(status)) {
        if (box_.tracked) ::kill(pid, SIGKILL);
        continue;
      }
      tracer_.on_exit(pid, status);
      record_exit(pid, status);
    }
    // Every writer is gone now: read each pipe to its end.
    for (auto& l : live_) {
      for (Stream* s : {&l.out, &l.err}) {
        if (s->fd < 0) continue;
        s->drain(spec_.limits.output);
        s->close();
      }
    }
    const itimerval off{};
    ::setitimer(ITIMER_REAL, &off, nullptr);
    index_.emplace(result_.trace);  // every process has ended: the trace is complete
    result_.leftovers = run_objects();
    std::vector<Leftover*> as_run;
    for (auto& left : result_.leftovers) {
      if (left.call.empty() && !removed_as_run_.count(left.path)) attribute_leftover(left, *index_);
      // Removing it was its creator's to do: excused when the grader's stop cut the creator short (or, not
      // knowing the creator, a process that opened it).
      const auto& stopped = result_.stopped;
      const auto cut_short = [&](long who) {
        return std::find(stopped.begin(), stopped.end(), who) != stopped.end();
      };
      left.cleanup_stopped = left.creator_pid
                                 ? cut_short(left.creator_pid)
                                 : std::any_of(left.holders.begin(), left.holders.end(), cut_short);
      if (left.reclaimed || (left.kind == trace::IpcKind::Fifo && left.path.empty())) continue;
      if (removed_as_run_.count(left.path)) {
        as_run.push_back(&left);
      } else {
        audit::reclaim(left);
      }
    }
    // With the run's own credentials, all in one process: the grader removes no more than the program
    // could have.
    const uid_t uid = box_.run_as ? *box_.run_as : ::geteuid();
    audit::remove_all_as(uid, box_.run_as ? static_cast<gid_t>(*box_.run_as) : ::getegid(), as_run);
    if (journal_) journal_->remove();
  }

  // The student's processes still alive once every process the runner started has ended (a server
  // started in the background by a shell, a daemon): they are killed with the run, and named, so that the
  // student learns their program did not end. Runner-started processes stopped by a limit are already
  // marked killed_by_grader.
  void note_survivors() {
    std::set<pid_t> started_alive;
    for (const auto& l : live_) {
      if (!l.exited) started_alive.insert(l.pid);
    }
    for (const auto& a : tracer_.judged_alive()) {
      if (started_alive.count(a.host_pid)) continue;
      result_.survivors.push_back({a.name, a.index, a.pid});
    }
    if (result_.survivors.empty() || result_.outcome != Outcome::Completed) return;
    std::string detail;
    for (const auto& s : result_.survivors) detail += (detail.empty() ? "" : "; ") + s.describe();
    result_.outcome_detail = detail;
  }

  // What the run left: in namespace mode everything in its IPC namespace and its private /dev/shm and
  // mqueue; in tracked mode exactly the objects the trace shows it created that still exist as they
  // were created (same key, and created by the run's uid when it has one of its own) — the host's
  // own objects are never touched.
  std::vector<Leftover> run_objects() {
    if (!box_.tracked) {
      auto all = audit::list_sysv_objects();
      for (auto& posix : audit::list_posix_objects("/dev/shm", box_.mqueue_dir)) all.push_back(posix);
      add_fifos(all);
      return all;
    }
    std::vector<Leftover> mine;
    for (auto& object : audit::list_sysv_objects()) {
      const auto kind = object.kind;
      // With a uid of its own, every object that uid created is the run's: one made by a call the run
      // was killed in the middle of (the kernel made it, the tracer never saw the call return) too.
      if (box_.run_as) {
        if (object.cuid == static_cast<long>(*box_.run_as)) mine.push_back(object);
        continue;
      }
      auto created = tracer_.created().find({kind, object.id});
      if (created == tracer_.created().end() || created->second != object.key) continue;
      mine.push_back(object);
    }
    // POSIX objects share the host's /dev/shm and queues: with a uid of its own, every file of that uid
    // in /dev/shm; and every object the trace shows the run made and did not unlink, while it exists.
    if (box_.run_as) {
      // The host's queues: where /dev/mqueue is not mounted, through the descriptor Landlock's rule holds.
      struct statfs fs {};
      const bool mounted = ::statfs("/dev/mqueue", &fs) == 0 && fs.f_type == kMqueueMagic;
      const std::string queues = mounted             ? "/dev/mqueue"
                                 : mqueue_root_ >= 0 ? "/proc/self/fd/" + std::to_string(mqueue_root_)
                                                     : "";
      for (auto& posix : audit::list_posix_objects("/dev/shm", queues)) {
        if (posix.uid != static_cast<long>(*box_.run_as)) continue;
        mine.push_back(posix);
      }
    }
    for (auto& posix : posix_objects_left(result_.trace, *index_)) {
      if (std::any_of(mine.begin(), mine.end(),
                      [&](const Leftover& l) { return l.kind == posix.kind && l.name == posix.name; }))
        continue;
      if (audit::find_posix_object(posix, box_.run_as ? static_cast<long>(*box_.run_as) : -1)) {
        if (!posix.path.empty()) removed_as_run_.insert(posix.path);
        mine.push_back(std::move(posix));
      }
    }
    // Names made outside the run's folders: with a uid of the run's own, every name of that uid in the
    // host's world-writable folders (/dev/shm only, where Landlock holds the others), however it was
    // made; and each name the trace saw made (anywhere without Landlock, in /dev/shm and /dev/mqueue
    // with it), while it is still the very file the run made. Newest first, so that a folder is emptied
    // before its turn.
    if (!names_outside_ && !box_.run_as && tracer_.created_files().empty()) {
      add_fifos(mine);
      return mine;
    }
    std::vector<Leftover> files;
    if (box_.run_as) {
      files = audit::files_owned_by(*box_.run_as,
                                    names_outside_
                                        ? std::vector<std::filesystem::path>{"/tmp", "/var/tmp", "/dev/shm"}
                                        : std::vector<std::filesystem::path>{"/dev/shm"},
                                    {context_.work_dir, box_.private_tmp});
    }
    const auto& made = tracer_.created_files();
    for (auto it = made.rbegin(); it != made.rend(); ++it) {
      struct stat st {};
      if (::lstat(it->path.c_str(), &st) != 0 || st.st_dev != it->dev || st.st_ino != it->ino) continue;
      auto known =
          std::find_if(files.begin(), files.end(), [&](const Leftover& l) { return l.path == it->path; });
      if (known == files.end()) {
        files.push_back(audit::file_leftover(it->path, st));
        known = files.end() - 1;
      }
      known->creator_pid = it->pid;
      known->creator = util::process_label(it->process, it->pid);
      known->creator_process = it->process;
      known->call = it->call;
      known->at = it->at;
    }
    for (auto& file : files) {
      if (std::any_of(mine.begin(), mine.end(), [&](const Leftover& l) { return l.path == file.path; }))
        continue;
      if (file.kind == trace::IpcKind::File && file.path.rfind("/dev/shm/", 0) == 0 &&
          file.path.find('/', 9) == std::string::npos) {  // shm_open's file (a POSIX name has no '/')
        file.kind = trace::IpcKind::PosixShm;
        file.name = "/" + util::shown_path(file.path.substr(9));
      }
      removed_as_run_.insert(file.path);
      mine.push_back(std::move(file));
    }
    add_fifos(mine);
    return mine;
  }

  // The FIFOs the run made and never unlinked, in either mode: from the trace, since a FIFO in the
  // run's private /tmp cannot be looked at once the run is gone. One in the working folder (or, in
  // tracked mode, the run's temporary folder) is removed with the run's credentials; one in the private
  // /tmp went with it; one that a tracked run made elsewhere is already listed, from the names it made.
  void add_fifos(std::vector<Leftover>& all) {
    char real[PATH_MAX];
    std::vector<std::string> mine;  // the run's own folders, as the grader sees them
    if (::realpath(context_.work_dir.c_str(), real)) mine.push_back(std::string(real) + "/");
    if (box_.tracked && !box_.private_tmp.empty() && ::realpath(box_.private_tmp.c_str(), real))
      mine.push_back(std::string(real) + "/");
    for (auto& fifo : fifos_left(result_.trace, *index_)) {
      const std::string where = fifo.path;
      const bool inside =
          !where.empty() && std::any_of(mine.begin(), mine.end(),
                                        [&](const std::string& dir) { return where.rfind(dir, 0) == 0; });
      if (inside) {
        // Still the very FIFO the run made: a name since removed or replaced is not a leftover.
        struct stat st {};
        if (::lstat(where.c_str(), &st) != 0 || !S_ISFIFO(st.st_mode) || st.st_dev != fifo.file_dev ||
            st.st_ino != fifo.file_ino)
          continue;
        if (std::any_of(all.begin(), all.end(), [&](const Leftover& l) { return l.path == where; })) continue;
        // Tracked mode removes with the run's credentials; in namespaces mode every process of the run
        // is gone (and its ended PID namespace cannot fork).
        if (box_.tracked) removed_as_run_.insert(where);
      } else if (!box_.tracked && fifo.name.rfind("/tmp/", 0) == 0) {
        fifo.path.clear();
        fifo.reclaimed = true;  // in the run's private /tmp, which ended with it
      } else {
        // Elsewhere: in tracked mode without Landlock, listed (and removed) from the names the run made;
        // anywhere else it could not have been made. Reported, never removed from here.
        if (std::any_of(all.begin(), all.end(), [&](const Leftover& l) { return l.path == where; })) continue;
        fifo.path.clear();
        fifo.reclaim_error = "outside the run's folders: not removed";
      }
      all.push_back(std::move(fifo));
    }
  }

  // Tracked mode, before the kill: each traced process is stopped first, so that a call the kernel is
  // in the middle of (a msgget making a queue) reports its result. SIGKILL alone would end it unseen,
  // and where the run has no uid of its own the trace is the only account of what it made: the queue
  // would be nobody's and stay. A process that does not stop within 200 ms (a vfork parent waiting for
  // its child, which PTRACE_INTERRUPT does not wake) is killed as it is.
  void settle_tracked_run() {
    handle_deferred();
    auto asked = tracer_.interrupt_all();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
    while (!asked.empty() && std::chrono::steady_clock::now() < deadline) {
      int status;
      const pid_t pid = ::waitpid(-1, &status, __WALL | WNOHANG);
      if (pid == 0) {
        ::usleep(1000);
        continue;
      }
      if (pid < 0) {
        if (errno == EINTR) continue;
        break;
      }
      asked.erase(pid);
      handle(pid, status);  // a stop is recorded and left stopped: the tracer resumes nothing now
    }
  }

  // Tracked mode has no PID namespace whose end takes every process along: kill every process the
  // tracer follows (each fork is followed, daemons included), whatever is in the run's cgroup, and
  // every process of the run's own uid.
  void kill_tracked_run() {
    for (pid_t pid : tracer_.live_pids()) ::kill(pid, SIGKILL);
    for (pid_t pid : cgroup_.members()) ::kill(pid, SIGKILL);
    if (!box_.run_as) return;
    const pid_t killer = ::fork();
    if (killer == 0) {
      const uid_t id = *box_.run_as;
      // As the run's uid, kill(-1) reaches exactly the processes of that uid, never the caller.
      if (::setresuid(id, id, id) == 0) ::kill(-1, SIGKILL);
      ::_exit(0);
    }
    if (killer > 0) {
      while (::waitpid(killer, nullptr, __WALL) < 0 && errno == EINTR) {
      }
    }
  }

  const config::ScenarioSpec& spec_;
  const RunContext& context_;
  const Containment box_;
  std::optional<audit::Journal> journal_;  // tracked mode
  std::optional<supervise::Landlock> landlock_;
  int mqueue_root_ = -1;                     // tracked mode: the host's mqueue filesystem, for Landlock
  std::optional<std::mt19937_64> schedule_;  // a run under a schedule perturbation
  int one_cpu_ = -1;                         // ... on this CPU only (-1: every CPU)
  std::vector<int> cpus_;                    // ... the CPUs the grader may use
  std::size_t next_cpu_ = 0;                 // ... spread: the next started process's, in turn
  bool names_outside_ = false;               // tracked mode without Landlock: the run may write anywhere
  std::set<std::string> removed_as_run_;     // leftovers removed with the run's credentials
  std::set<std::pair<trace::IpcKind, int>> journaled_;
  std::optional<std::string> flood_;  // a process wrote far past the output limit and was stopped
  std::optional<TraceIndex> index_;   // the finished trace by object, for attributing leftovers
  struct Stopping {
    Clock::time_point kill_at;  // the end of the longest grace
    Stop why;
  };
  std::optional<Stopping> stopping_;                // the grader's stop is under way
  std::optional<Clock::time_point> orphans_since_;  // every started process had ended by then
  std::set<size_t> fired_;                          // `signals:` steps already sent
  bool announced_wait_ = false;
  ScenarioResult result_;
  std::vector<Planned> plan_;
  std::vector<Live> live_;
  size_t next_ = 0;
  std::optional<size_t> gate_;  // the live process whose `ready:` holds back the next start
  Clock::time_point gate_since_;
  std::set<pid_t> ipc_ready_;  // runner-started processes (host pids) that created an IPC object
  Clock::time_point start_;
  Clock::time_point timer_at_;  // when the armed SIGALRM fires
  supervise::SeccompFilter filter_;
  supervise::Tracer tracer_;
  supervise::Watchdog watchdog_;
  // Declared last: destroyed first, once finish() has ended every process of the run.
  // The working folder's tmpfs is charged to the memory cgroup of whoever writes it: the run may hold
  // its memory limit and its disk limit at once.
  supervise::RunCgroup cgroup_{spec_.limits.processes,
                               spec_.limits.memory + (box_.mounts ? box_.mounts->disk_bytes : 0),
                               "ipcgrade-" + std::to_string(::getpid())};
};

}  // namespace

ScenarioResult supervise_scenario(const config::ScenarioSpec& spec, const RunContext& context,
                                  const Containment& containment) {
  return Supervisor(spec, context, containment).run();
}

}  // namespace ipcgrade::run
