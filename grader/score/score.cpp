#include "grader/score/score.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace ipcgrade::score {

namespace {

report::CheckResult judge(const config::CheckSpec& spec, const config::Assignment& assignment,
                          const std::vector<run::ScenarioResult>& results) {
  checks::CheckInput input{&spec, {}};
  bool hidden = false;
  for (const auto& result : results) {
    if (!spec.scenarios.empty() &&
        std::find(spec.scenarios.begin(), spec.scenarios.end(), result.name) == spec.scenarios.end()) {
      continue;
    }
    const config::ScenarioSpec* scenario = assignment.scenario(result.name);
    if (!scenario) continue;
    hidden = hidden || scenario->visibility == config::Visibility::Hidden;
    input.scenarios.push_back({scenario, &result});
  }
  report::CheckResult r{spec.name, spec.type, 0, spec.points, "", hidden ? "hidden" : "visible", "", {}};
  const checks::Verdict v = spec.impl->evaluate(input);
  r.feedback = v.feedback;
  r.evidence = v.evidence;
  switch (v.status) {
    case checks::Status::Passed:
      r.status = "passed";
      r.score = spec.points;
      break;
    case checks::Status::Failed:
      r.status = "failed";
      r.score = spec.impl->per_offence ? std::max(0.0, spec.points - *spec.impl->per_offence * v.offences) : 0.0;
      break;
    case checks::Status::NotChecked:
      r.status = "not-checked";
      r.max_score = 0;
      break;
  }
  return r;
}

}  // namespace

std::vector<report::CheckResult> score_checks(const config::Assignment& assignment,
                                              const std::vector<run::ScenarioResult>& scenarios,
                                              const build::BuildResult& build) {
  std::vector<report::CheckResult> out;
  for (const auto& spec : assignment.checks) {
    if (!build.usable()) {
      bool hidden = false;
      for (const auto& s : assignment.scenarios) {
        const bool covered = spec.scenarios.empty() ||
                             std::find(spec.scenarios.begin(), spec.scenarios.end(), s.name) != spec.scenarios.end();
        hidden = hidden || (covered && s.visibility == config::Visibility::Hidden);
      }
      out.push_back({spec.name, spec.type, 0, spec.points, "failed", hidden ? "hidden" : "visible",
                     build.status == "timeout" ? "The build did not finish within its time limit, so nothing could be "
                                                 "run; see the build log."
                                               : "The submission did not build, so nothing could be run; see the "
                                                 "build log for the compiler's messages.",
                     {}});
      continue;
    }
    out.push_back(judge(spec, assignment, scenarios));
  }
  return out;
}

void total(report::Report& report) {
  report.score = 0;
  report.max_score = 0;
  for (const auto& c : report.checks) {
    report.score += c.score;
    report.max_score += c.max_score;
  }
}

}  // namespace ipcgrade::score

namespace ipcgrade::report {
bool Report::all_passed() const {
  for (const auto& c : checks) {
    if (c.status == "failed") return false;
  }
  return build.usable();
}
}  // namespace ipcgrade::report
