// The supervisor: the run loop: it starts, watches, stops and waits.
#include "grader/runner/supervisor.hpp"

#include <algorithm>

namespace ipcgrade::runner {

run::ScenarioResult Supervisor::run() {
  set_up();
  start_ = Clock::now();
  const auto deadline = start_ + spec_.limits.wall;
  auto next_sample = start_ + tracer::Watchdog::kInterval;
  watchdog_.set_terminal(context_.inherit_stdio && ::isatty(0));
  for (;;) {
    tracer_.drain_observed();  // the observer's records before anything is judged of the run
    if (!stopping_) launch_ready();
    fire_signal_steps();
    const auto now = Clock::now();
    // The observer's ring overflowed: the scenario is graded again under ptrace (run_scenario), so
    // nothing more of this attempt is worth waiting for. Asked once a millisecond at most (a map read).
    // Not under `run`, whose programs work in the user's own folder: killed without their cleanup,
    // they would leave it files (a FIFO, a lock) that the second attempt trips over.
    if (observer_ && context_.private_work_dir && !stopping_ && now >= next_loss_check_) {
      next_loss_check_ = now + std::chrono::milliseconds(1);
      if (observer_->lost() > 0) begin_stop(Stop::Abandon);
    }
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
        next_sample = now + tracer::Watchdog::kInterval;
        stuck = !context_.is_build && watchdog_.sample(tracer_).has_value();
      }
      if (stuck || now >= *orphans_since_ + spec_.limits.orphan_grace || now >= deadline)
        begin_stop(Stop::Survivors);
    } else if (now >= deadline) {
      result_.outcome = run::Outcome::Timeout;
      result_.outcome_detail = "wall limit " + util::format_duration(spec_.limits.wall);
      begin_stop(Stop::Limit);
    } else if (flood_) {
      begin_stop(Stop::Limit);
    } else if (now >= next_sample) {
      // Only once every process has started: a run waiting for its next start is not stuck. Nor is
      // one that a `signals:` step will wake at a set time.
      next_sample = now + tracer::Watchdog::kInterval;
      std::optional<std::string> deadlock;
      if (next_ == plan_.size() && !context_.is_build && !timed_step_pending() &&
          (deadlock = watchdog_.sample(tracer_))) {
        result_.outcome = run::Outcome::Deadlock;
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
  if (observer_) result_.observer_lost = observer_->lost();
  result_.refused = tracer_.refusals();
  return std::move(result_);
}

bool Supervisor::all_exited() const {
  for (const auto& l : live_) {
    if (!l.exited) return false;
  }
  return true;
}

Clock::time_point Supervisor::next_wake(Clock::time_point deadline) const {
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
void Supervisor::install_wakeups() {
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
void Supervisor::arm_timer(Clock::duration in) {
  const auto at = Clock::now() + in;
  if (timer_at_ > Clock::now() && timer_at_ <= at) return;
  const auto us = std::max<long long>(std::chrono::duration_cast<std::chrono::microseconds>(in).count(), 100);
  // Then again every 50 ms, or every `in` (1 ms at least) if sooner, until re-armed: a SIGALRM that
  // fires while the supervisor is not yet in waitpid (a deadline already due, a busy machine, or just
  // between this check and waitpid) interrupts nothing, and a one-shot timer would leave waitpid
  // blocked for good when no process of the run has anything more to report. The observer's ring is
  // read every 2 ms: a missed wake waited out for 50 ms lets a busy run overflow it.
  const auto every = std::clamp<long long>(us, 1000, 50000);
  itimerval t{{0, static_cast<suseconds_t>(every)},
              {static_cast<time_t>(us / 1000000), static_cast<suseconds_t>(us % 1000000)}};
  ::setitimer(ITIMER_REAL, &t, nullptr);
  timer_at_ = at;
}

bool Supervisor::outputs_open() const {
  for (const auto& l : live_) {
    if (l.out.fd >= 0 || l.err.fd >= 0) return true;
  }
  return false;
}

void Supervisor::wait_for_events(Clock::time_point wake) {
  auto in = wake - Clock::now();
  if (outputs_open()) in = std::min<Clock::duration>(in, std::chrono::milliseconds(20));
  // The observer's ring is read often enough that a message loop never fills it.
  if (observer_) in = std::min<Clock::duration>(in, std::chrono::milliseconds(2));
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

void Supervisor::drain_outputs() {
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

void Supervisor::handle(pid_t pid, int status) {
  if (WIFSTOPPED(status)) {
    tracer_.on_stop(pid, status);
  } else {
    tracer_.on_exit(pid, status);
    record_exit(pid, status);
  }
}

// Handles the stops the tracer collected itself (hold_others); whether there were any.
bool Supervisor::handle_deferred() {
  pid_t pid;
  int status;
  bool any = false;
  while (tracer_.take_deferred(pid, status)) {
    handle(pid, status);
    any = true;
  }
  return any;
}

void Supervisor::reap() {
  handle_deferred();
  int status;
  pid_t pid;
  while ((pid = ::waitpid(-1, &status, WNOHANG | __WALL)) > 0) handle(pid, status);
}

run::ScenarioResult supervise_scenario(const config::ScenarioSpec& spec, const RunContext& context,
                                       const Containment& containment) {
  return Supervisor(spec, context, containment).run();
}

}  // namespace ipcgrade::runner
