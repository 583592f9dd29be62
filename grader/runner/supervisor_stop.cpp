// The supervisor: `signals:` steps, the grader's stop and the end of the run.
#include "grader/runner/supervisor.hpp"

namespace ipcgrade::runner {

// `signals:` steps whose moment has come send their signal to every live process of that name.
void Supervisor::fire_signal_steps() {
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

bool Supervisor::step_due(const config::SignalStep& step) {
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

const config::ProcessSpec* Supervisor::plan_spec(const std::string& name) const {
  for (const auto& p : spec_.processes) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

// A step that fires at a set time is still to come: the run is not stuck while it waits for it.
bool Supervisor::timed_step_pending() const {
  for (size_t i = 0; i < spec_.signals.size(); ++i) {
    if (!fired_.count(i) && spec_.signals[i].after == config::SignalStep::After::Delay) return true;
  }
  return false;
}

// Whether a `signals:` step has sent its signal to a process of this name (or the one it descends from).
bool Supervisor::signalled(const std::string& name) const {
  return std::any_of(result_.processes.begin(), result_.processes.end(),
                     [&](const run::ProcessResult& p) { return p.name == name && p.sent_signal; });
}

// How the grader ends a process of this name: its `stop:`, or SIGTERM with a grace of 500 ms.
config::StopSpec Supervisor::stop_of(const std::string& name) const {
  const auto* spec = plan_spec(name);
  return spec ? spec->stop : config::StopSpec{};
}

// The grader's stop: each live process gets its stop signal (the terminal already sent Ctrl-C's) and
// its grace, still traced, so that a handler can remove what it made and flush its output; the loop
// then ends when they have all gone or the longest grace is over, and finish() kills the rest.
void Supervisor::begin_stop(Stop why) {
  // An attempt whose observer lost records: nothing of it is judged, so every process is killed now,
  // with no grace, and a Ctrl-C meanwhile is left for the attempt to come.
  if (why == Stop::Abandon) {
    for (const auto& l : tracer_.live()) {
      if (!l.thread) ::kill(l.host_pid, SIGKILL);
    }
    stopping_ = Stopping{Clock::now(), why};
    return;
  }
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
void Supervisor::announce_signal_wait() {
  if (announced_wait_ || !watchdog_.signal_wait()) return;
  announced_wait_ = true;
  const std::string line = fmt::format("==ipcgrade== {} waits for a signal: press Ctrl-C\n",
                                       util::escape_controls(*watchdog_.signal_wait()));
  [[maybe_unused]] const ssize_t n = ::write(2, line.data(), line.size());
}

void Supervisor::finish() {
  tracer_.drain_observed();  // placed while the processes and their memory maps are still there
  handle_deferred();         // an end the tracer collected is recorded before the kill
  note_never_started();
  if (stopping_ && stopping_->why == Stop::Interrupt) note_survivors();
  for (auto& l : live_) {
    if (!l.exited) result_.processes[l.result].killed_by_grader = true;
  }
  // Stopped before any is killed: a process with SIGKILL pending no longer stops for its tracer.
  containment_->settle([this] { handle_deferred(); }, [this](pid_t pid, int status) { handle(pid, status); });
  for (auto& l : live_) {
    if (!l.exited) ::kill(l.pid, SIGKILL);
  }
  containment_->kill_all();
  int status;
  pid_t pid;
  while ((pid = ::waitpid(-1, &status, __WALL)) > 0 || (pid < 0 && errno == EINTR)) {
    if (pid <= 0) continue;
    // A stop that raced with SIGKILL: the end follows. In tracked mode it may be a child forked
    // a moment before the kill, which nothing else would take down.
    if (WIFSTOPPED(status)) {
      containment_->stopped_after_kill(pid);
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
  result_.leftovers = containment_->leftovers(*index_);
  std::vector<run::Leftover*> as_run;
  for (auto& left : result_.leftovers) {
    if (left.call.empty() && !containment_->removed_as_run(left.path)) attribute_leftover(left, *index_);
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
    if (containment_->removed_as_run(left.path)) {
      as_run.push_back(&left);
    } else {
      audit::reclaim(left);
    }
  }
  // With the run's own credentials, all in one process: the grader removes no more than the program
  // could have.
  const uid_t uid = box_.run_as ? *box_.run_as : ::geteuid();
  audit::remove_all_as(uid, box_.run_as ? static_cast<gid_t>(*box_.run_as) : ::getegid(), as_run);
  containment_->done();
}

// The student's processes still alive once every process the runner started has ended (a server
// started in the background by a shell, a daemon): they are killed with the run, and named, so that the
// student learns their program did not end. Runner-started processes stopped by a limit are already
// marked killed_by_grader.
void Supervisor::note_survivors() {
  std::set<pid_t> started_alive;
  for (const auto& l : live_) {
    if (!l.exited) started_alive.insert(l.pid);
  }
  for (const auto& a : tracer_.judged_alive()) {
    if (started_alive.count(a.host_pid)) continue;
    result_.survivors.push_back({a.name, a.index, a.pid});
  }
  if (result_.survivors.empty() || result_.outcome != run::Outcome::Completed) return;
  std::string detail;
  for (const auto& s : result_.survivors) detail += (detail.empty() ? "" : "; ") + s.describe();
  result_.outcome_detail = detail;
}

}  // namespace ipcgrade::runner
