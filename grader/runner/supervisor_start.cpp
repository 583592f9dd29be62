// The supervisor: starting the processes in order, with their `ready:`.
#include "grader/runner/supervisor.hpp"

namespace ipcgrade::runner {

void Supervisor::launch_ready() {
  while (next_ < plan_.size() && gate_open()) {
    start(plan_[next_]);
    ++next_;
  }
}

// Whether the process started last lets the next one start.
bool Supervisor::gate_open() {
  if (!gate_) return true;
  const bool open = is_ready(live_[*gate_], plan_[next_ - 1].spec->ready, gate_since_);
  if (open) gate_.reset();
  return open;
}

// Whether a started process has become ready as its `ready:` says (started at `since`). Once ready,
// always ready: a `stdout` pattern reads each line once, and a `signals:` step may ask after the gate.
bool Supervisor::is_ready(Live& l, const config::Ready& ready, Clock::time_point since) {
  if (!l.ready) l.ready = ready_now(l, ready, since);
  return l.ready;
}

bool Supervisor::ready_now(Live& l, const config::Ready& ready, Clock::time_point since) {
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
      const std::filesystem::path where =
          std::filesystem::path(name).is_absolute() ? std::filesystem::path(name) : context_.work_dir / name;
      std::error_code ec;
      return l.exited || std::filesystem::exists(std::filesystem::symlink_status(where, ec));
    }
  }
  return false;
}

// A line of its output (it ends with a newline) matches `ready: stdout`'s pattern. RE2: a 60 KB line
// from the program takes time linear in its length and no recursion.
bool Supervisor::stdout_matches(Live& l, const std::string& pattern) {
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
std::optional<std::filesystem::path> Supervisor::instructor_program(
    const std::vector<std::string>& argv) const {
  std::optional<std::filesystem::path> program;
  for (const auto& word : argv) {
    const auto relative = std::filesystem::path(word).lexically_normal();
    for (const auto& file : context_.instructor_files) {
      if (relative == std::filesystem::path(file).lexically_normal()) program = relative;
    }
  }
  return program;
}

void Supervisor::start(const Planned& planned) {
  config::Placeholders ph = context_.placeholders;
  ph.index = planned.index;
  run::ProcessResult pr;
  pr.name = planned.spec->name;
  pr.index = planned.index;
  for (const auto& word : planned.spec->argv) pr.argv.push_back(context_.expand ? ph.expand(word) : word);
  sandbox::SpawnRequest req;
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
  req.default_slice = short_slice_;
  if (planned.spec->stdin_text) req.stdin_data = ph.expand(*planned.spec->stdin_text);
  if (planned.spec->stdin_file) req.stdin_data = ph.expand(util::read_file(*planned.spec->stdin_file));
  const sandbox::Spawned s = sandbox::spawn(req);
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
void Supervisor::rebind_streams() {
  for (auto& l : live_) {
    auto& pr = result_.processes[l.result];
    l.out.text = &pr.stdout_text;
    l.out.cut = &pr.stdout_cut;
    l.err.text = &pr.stderr_text;
    l.err.cut = &pr.stderr_cut;
  }
}

// Ends the run: kills whatever is left (daemons, the wall-limit case), collects the last output, and
// audits and reclaims the run's IPC objects.
// The processes whose turn never came: the one before them never became ready before the run ended.
// Each is in the result, not started, with why: a check that names it fails instead of judging nothing.
void Supervisor::note_never_started() {
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
            ? fmt::format("ready: stdout '{}' never matched; {}", util::escape_controls(ready.pattern), said)
        : ready.kind == config::Ready::Kind::Path
            ? fmt::format("ready: path '{}' never appeared", util::escape_controls(ready.path))
            : "its ready: delay had not passed";
    why = fmt::format("{} never became ready ({})", util::process_label(gate.name, gate.pid, gate.index),
                      waited);
  }
  for (size_t k = next_; k < plan_.size(); ++k) {
    run::ProcessResult pr;
    pr.name = plan_[k].spec->name;
    pr.index = plan_[k].index;
    pr.never_reached = true;
    pr.start_error = why;
    result_.processes.push_back(std::move(pr));
  }
  next_ = plan_.size();
}

void Supervisor::record_exit(pid_t pid, int status) {
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
      pr.crash = run::crash_of(e);
      break;
    }
  }
}

}  // namespace ipcgrade::runner
