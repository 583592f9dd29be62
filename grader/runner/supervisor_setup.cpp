// The supervisor: what the run is held to, and what the report says of it.
#include "grader/runner/supervisor.hpp"

#include "grader/util/cpus.hpp"

namespace ipcgrade::runner {

// Everything before the first process starts: the containment's own set-up, the file-system policy
// the programs run under, the limits the tracer holds, the schedule perturbation, the plan.
void Supervisor::set_up() {
  result_.name = spec_.name;
  result_.visibility = spec_.visibility;
  // The sandbox's order, each step named (isolate's box_inside): the containment of this mode, the
  // file-system policy the programs run under (Landlock over what the new root binds), this mode's part
  // of it, then the limits the tracer holds.
  containment_ = make_containment({spec_, context_, box_, tracer_, cgroup_, result_});
  result_.mode = std::string(containment_->mode());
  result_.mode_reason = box_.mode_reason;
  // Grading (not `run`, whose program is the caller's own): a Landlock domain for every program.
  if (context_.drop_privileges && !box_.private_tmp.empty())
    landlock_ = sandbox::landlock_of(sandbox::run_policy(), context_.work_dir, box_.private_tmp);
  containment_->set_up(landlock_);
  // Nothing else holds the process limit here (root in a container without cgroups): the tracer does.
  if (cgroup_.pids_enforcer().empty() && !box_.run_as)
    tracer_.set_max_tasks(static_cast<size_t>(spec_.limits.processes));
  // Detached segments are counted by no RLIMIT_AS, and by no cgroup where there is none: by the tracer,
  // in every mode, so that the same program meets the same limit everywhere.
  tracer_.set_shared_memory_limit(spec_.limits.memory);
  tracer_.set_want_results(context_.trace_ipc_results);
  tracer_.set_max_events(static_cast<size_t>(spec_.limits.trace_events), spec_.limits.trace_bytes);
  tracer_.set_observer(observer_.get());
  // The observer's ring is emptied by this process alone, every 2 ms: with the scheduler's default
  // slice it may get its CPU a tick or two (4-8 ms) late behind busy programs, long enough for four
  // workers on one core to fill the ring. A short slice lets it in as soon as its timer fires; the
  // programs keep the default (SpawnRequest::default_slice).
  if (observer_) short_slice_ = util::set_time_slice(std::chrono::microseconds(100));
  describe_enforcement();
  if (!tracer_line_.empty()) result_.enforced["tracer"] = tracer_line_;
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
}

// The report's `enforced`: which mechanism holds each limit in this run.
void Supervisor::describe_enforcement() {
  auto& e = result_.enforced;
  const auto& lim = spec_.limits;
  e["wall"] = fmt::format(
      "{}: the supervisor stops the whole run (each process's stop signal, its grace, then "
      "SIGKILL)",
      util::format_duration(lim.wall));
  e["cpu"] = fmt::format("{} per process: RLIMIT_CPU", util::format_duration(lim.cpu));
  e["memory"] = fmt::format("{}: RLIMIT_AS per process; System V shared memory the run makes, by the tracer",
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
  for (const auto& [name, line] : box_.root_lines) e[name] = line;
  containment_->describe(e, landlock_);
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
}

// Names the limit the run ran into, so the outcome says "memory limit 256 MiB", not a bare kill.
// The first limit that explains what happened wins; a later wall limit is mentioned after it.
void Supervisor::name_the_limit() {
  const auto& lim = spec_.limits;
  std::optional<std::string> hit = flood_;
  // A fork bomb also fills the memory cgroup with the kernel's bookkeeping: the process limit is the
  // cause to name.
  if (!hit && cgroup_.pids_limit_hit())
    hit = fmt::format("process limit {}: forks were refused ({})", lim.processes, cgroup_.pids_enforcer());
  if (!hit && tracer_.forks_refused() > 0)
    hit = fmt::format("process limit {}: forks were refused by the tracer", lim.processes);
  auto who = [](const run::ProcessResult& p) { return util::process_label(p.name, p.pid, p.index); };
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
  bool any_failed = result_.outcome == run::Outcome::Timeout;
  for (const auto& p : result_.processes) any_failed = any_failed || p.signal || p.exit_code.value_or(0) != 0;
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
  if (!hit || result_.outcome == run::Outcome::Deadlock || result_.outcome == run::Outcome::CrashedGrader)
    return;
  if (result_.outcome == run::Outcome::Timeout) *hit += "; then the wall limit";
  result_.outcome = run::Outcome::Limit;
  result_.outcome_detail = *hit;
}

}  // namespace ipcgrade::runner
