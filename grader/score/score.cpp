#include "grader/score/score.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "checks/make_checks.hpp"
#include "grader/config/placeholders.hpp"

namespace ipcgrade::score {

namespace {

bool covers(const config::CheckSpec& spec, const std::string& scenario) {
  return spec.scenarios.empty() ||
         std::find(spec.scenarios.begin(), spec.scenarios.end(), scenario) != spec.scenarios.end();
}

// A check that covers a hidden scenario is itself hidden (Gradescope: after_published).
config::Visibility visibility(const config::CheckSpec& spec, const config::Assignment& assignment) {
  for (const auto& s : assignment.scenarios) {
    if (covers(spec, s.name) && s.visibility == config::Visibility::Hidden) return config::Visibility::Hidden;
  }
  return config::Visibility::Visible;
}

report::CheckResult judge(const config::CheckSpec& spec, const checks::Check& check,
                          const config::Assignment& assignment,
                          const std::vector<run::ScenarioResult>& results, const std::vector<key_t>& keys) {
  checks::CheckInput input{&spec, {}, keys, config::object_names(assignment.id, keys)};
  for (const auto& result : results) {
    const config::ScenarioSpec* scenario = assignment.scenario(result.name);
    if (scenario && covers(spec, result.name)) input.scenarios.push_back({scenario, &result});
  }
  report::CheckResult r{
      spec.name, spec.type, 0,  spec.points, checks::Status::Failed, visibility(spec, assignment),
      "",        {},        {}, {}};
  // A scenario the grader could not run judges nothing: never let it pass a check by default.
  for (const auto& view : input.scenarios) {
    if (view.result->outcome != run::Outcome::CrashedGrader) continue;
    r.status = checks::Status::Failed;
    r.feedback = "Not judged: the grader could not run scenario '" + view.result->name + "' (" +
                 view.result->outcome_detail + "). This is a fault of the grader, not of the submission.";
    return r;
  }
  const checks::Verdict v = check.evaluate(input);
  std::string notes;  // each a sentence of its own after the feedback
  for (std::string note : v.notes) {
    if (!note.empty()) note[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(note[0])));
    notes += " " + note + ".";
  }
  r.feedback = v.feedback + notes;
  if (v.advice) {
    r.advice = *v.advice + notes;
    if (r.advice->rfind(' ', 0) == 0) r.advice->erase(0, 1);
  }
  r.evidence = v.evidence;
  r.notes = v.notes;
  r.status = v.status;
  switch (v.status) {
    case checks::Status::Passed:
      r.score = spec.points;
      break;
    case checks::Status::Failed:
      r.score = v.earned            ? spec.points * *v.earned
                : check.per_offence ? std::max(0.0, spec.points - *check.per_offence * v.offences)
                                    : 0.0;
      break;
  }
  return r;
}

}  // namespace

std::vector<report::CheckResult> score_checks(const config::Assignment& assignment,
                                              const std::vector<run::ScenarioResult>& scenarios,
                                              const build::BuildResult& build,
                                              const std::vector<key_t>& keys) {
  std::vector<report::CheckResult> out;
  // Made here from the parameters config kept: the commands made them once already when the file was
  // read, so a mistake in them has been reported before anything ran.
  const auto made = checks::make_checks(assignment);
  for (size_t i = 0; i < assignment.checks.size(); ++i) {
    const config::CheckSpec& spec = assignment.checks[i];
    if (!build.usable()) {
      out.push_back({spec.name,
                     spec.type,
                     0,
                     spec.points,
                     checks::Status::Failed,
                     visibility(spec, assignment),
                     build.status == build::BuildStatus::Timeout
                         ? "The build did not finish within its time limit, so nothing could be run; see the "
                           "build log."
                     : build.status == build::BuildStatus::Refused
                         ? "The submission was not accepted, so nothing could be built or run; see the build "
                           "log for why."
                         : "The submission did not build, so nothing could be run; see the build log for the "
                           "compiler's messages.",
                     {},
                     {},
                     {}});
      continue;
    }
    out.push_back(judge(spec, *made[i], assignment, scenarios, keys));
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
