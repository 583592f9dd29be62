// `exit`: every selected process exited by itself with the expected code.
#include <fmt/format.h>

#include <signal.h>

#include <algorithm>
#include <cstring>
#include <sstream>

#include "checks/check.hpp"
#include "grader/util/signals.hpp"

namespace ipcgrade::checks {

namespace {

class ExitCheck : public Check {
 public:
  int code = 0;
  std::optional<int> signal;  // a process a `signals:` step sent this signal may also die of it
  bool reap = false;          // a parent that ends before its children fails

  Verdict evaluate(const CheckInput& input) const override {
    Verdict v;
    for (const auto& scenario : input.scenarios) {
      for (const run::ProcessResult* p : input.processes(scenario)) {
        std::string problem = judge(scenario, *p);
        if (!problem.empty()) {
          ++v.offences;
          v.evidence.push_back(Evidence{scenario.spec->name, p->name, p->pid, "", "", problem});
        }
        // A parent that did not wait for its children: named, and failed only with `reap: true`.
        for (const std::string& orphaned : children_outliving(scenario, *p)) {
          if (reap) {
            ++v.offences;
            v.evidence.push_back(Evidence{scenario.spec->name, p->name, p->pid, "", "", orphaned});
          } else {
            v.notes.push_back(orphaned);
          }
        }
      }
      // A process that outlived the run (a server its clients outlived, a daemon) did not exit at all.
      for (const auto& s : scenario.result->survivors) {
        bool selected = false;
        for (const run::ProcessResult* p : input.processes(scenario))
          selected = selected || p->name == s.name;
        if (!selected) continue;
        ++v.offences;
        v.evidence.push_back(Evidence{scenario.spec->name, s.name, s.pid, "", "", s.describe()});
      }
    }
    if (v.offences == 0) {
      v.feedback = fmt::format("Every process exited with code {}.", code);
    } else {
      v.status = Status::Failed;
      v.feedback = v.evidence.front().detail;
      v.advice = "";
      if (v.offences > 1) v.feedback += fmt::format(" ({} failures in all; see the evidence)", v.offences);
    }
    return v;
  }

 private:
  std::string judge(const ScenarioView& scenario, const run::ProcessResult& p) const {
    if (!p.started) return not_started(p);
    if (p.killed_by_grader) return stopped(scenario, p);
    if (p.crash) return fmt::format("{} crashed: {}", describe(p), p.crash->describe());
    if (p.signal && p.sent_signal && *p.signal == *p.sent_signal) {
      if (signal && *signal == *p.signal) return {};
      const std::string name = util::signal_name(*p.signal);
      return fmt::format(
          "{} was ended by {}, which the scenario sent it (signals:), without handling it: catch {}, clean "
          "up "
          "and exit with code {}",
          describe(p), name, name, code);
    }
    if (p.signal) {
      return fmt::format("{} was killed by {} ({}); it must exit with code {}", describe(p),
                         util::signal_name(*p.signal), strsignal(*p.signal), code);
    }
    if (p.exit_code && *p.exit_code != code) {
      return fmt::format("{} exited with code {}; expected {}", describe(p), *p.exit_code, code);
    }
    return {};
  }

  // A process the grader stopped: why, and how it ended in its grace (its stop signal's handler may
  // have exited cleanly, or SIGKILL came at the end of the grace).
  static std::string stopped(const ScenarioView& scenario, const run::ProcessResult& p) {
    const auto& result = *scenario.result;
    std::string how;  // how it ended in its grace
    if (p.signal && *p.signal == SIGKILL) {
      how = "and was killed";
    } else if (p.signal) {
      how = "and was stopped with " + util::signal_name(*p.signal);
    } else if (p.exit_code) {
      how = fmt::format("and was stopped (it exited with code {} in its grace)", *p.exit_code);
    } else {
      how = "and was stopped";
    }
    switch (result.outcome) {
      case run::Outcome::Timeout:
        return fmt::format("{} was still running at the {} {}", describe(p), result.outcome_detail, how);
      case run::Outcome::Deadlock: {
        // How its stop went: what a handler did in its grace, or the signal that ended it.
        const std::string ended = p.signal && *p.signal == SIGKILL ? "It was killed when its grace ran out."
                                  : p.signal ? "It ended on " + util::signal_name(*p.signal) + "."
                                  : p.exit_code
                                      ? fmt::format("It exited with code {} in its grace.", *p.exit_code)
                                      : std::string();
        return fmt::format("{} was stopped in a deadlock: {}{}", describe(p), result.outcome_detail,
                           ended.empty() ? "" : " " + ended);
      }
      default:
        return fmt::format("{} was killed by the grader ({})", describe(p), result.outcome_detail);
    }
  }

  // For each child `p` forked and never waited for (the kernel still listed it as p's child when p
  // called exit): "upper #0 (pid 1000) exited before its child (pid 1001) ended: call wait() ...". A child
  // that outlived the run is a survivor, named (and charged) as one.
  static std::vector<std::string> children_outliving(const ScenarioView& scenario,
                                                     const run::ProcessResult& p) {
    std::vector<std::string> out;
    if (!p.started) return out;
    const auto& events = scenario.result->trace.events;
    const trace::Event* end = nullptr;
    for (const auto& e : events) {
      if (e.kind == trace::EventKind::Exit && e.pid == p.pid) end = &e;
    }
    if (!end || !end->texts.count("unreaped")) return out;
    std::istringstream children(end->texts.at("unreaped"));
    const auto& survivors = scenario.result->survivors;
    long child = 0;
    while (children >> child) {
      if (std::any_of(survivors.begin(), survivors.end(),
                      [&](const run::Survivor& s) { return s.pid == child; }))
        continue;
      const bool ended_first = std::any_of(events.begin(), events.end(), [&](const trace::Event& e) {
        return e.kind == trace::EventKind::Exit && e.pid == child && e.seq < end->seq;
      });
      out.push_back(ended_first
                        ? fmt::format("{} exited without waiting for its child (pid {}), which had ended: "
                                      "call wait() (or waitpid()) for each child before exiting",
                                      describe(p), child)
                        : fmt::format("{} exited before its child (pid {}) ended: call wait() (or "
                                      "waitpid()) for each child before exiting",
                                      describe(p), child));
    }
    return out;
  }
};

std::unique_ptr<Check> make(const config::ParamReader& params) {
  params.allow_only({"code", "signal", "reap"});
  auto check = std::make_unique<ExitCheck>();
  if (params.has("code")) check->code = static_cast<int>(params.integer("code"));
  if (params.has("signal")) {
    check->signal = util::parse_signal(params.string("signal"));
    if (!check->signal) params.fail("signal", "'signal' must be a signal, like SIGINT or SIGTERM");
  }
  if (params.has("reap")) check->reap = params.boolean("reap");
  return check;
}

}  // namespace

const CheckType kExitCheck{"exit", &make, {}};

}  // namespace ipcgrade::checks
