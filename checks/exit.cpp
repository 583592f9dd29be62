// `exit`: every selected process exited by itself with the expected code.
#include <fmt/format.h>

#include <cstring>

#include "checks/check.hpp"

namespace ipcgrade::checks {

namespace {

class ExitCheck : public Check {
 public:
  int code = 0;

  Verdict evaluate(const CheckInput& input) const override {
    Verdict v;
    for (const auto& scenario : input.scenarios) {
      for (const run::ProcessResult* p : input.processes(scenario)) {
        std::string problem = judge(scenario, *p);
        if (problem.empty()) continue;
        ++v.offences;
        v.evidence.push_back(Evidence{scenario.spec->name, p->name, p->pid, "", "", problem});
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
    if (!p.started) return fmt::format("{} could not be started: {}", describe(p), p.start_error);
    if (p.killed_by_grader) {
      switch (scenario.result->outcome) {
        case run::Outcome::Timeout:
          return fmt::format("{} was still running at the {} and was killed", describe(p),
                             scenario.result->outcome_detail);
        case run::Outcome::Deadlock:
          return fmt::format("{} was stopped in a deadlock: {}", describe(p),
                             scenario.result->outcome_detail);
        default:
          return fmt::format("{} was killed by the grader ({})", describe(p),
                             scenario.result->outcome_detail);
      }
    }
    if (p.signal) {
      return fmt::format("{} was killed by signal {} ({}); it must exit with code {}", describe(p), *p.signal,
                         strsignal(*p.signal), code);
    }
    if (p.exit_code && *p.exit_code != code) {
      return fmt::format("{} exited with code {}; expected {}", describe(p), *p.exit_code, code);
    }
    return {};
  }
};

std::unique_ptr<Check> make(const config::ParamReader& params) {
  params.allow_only({"code"});
  auto check = std::make_unique<ExitCheck>();
  if (params.has("code")) check->code = static_cast<int>(params.integer("code"));
  return check;
}

}  // namespace

const CheckType kExitCheck{"exit", &make, {}};

}  // namespace ipcgrade::checks
