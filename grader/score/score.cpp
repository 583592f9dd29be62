#include "grader/score/score.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "checks/make_checks.hpp"
#include "grader/config/placeholders.hpp"
#include "grader/score/parts.hpp"
#include "grader/util/text.hpp"

namespace ipcgrade::score {

namespace {

// Facts charged so far, in file order, with the name of the check that charged each (one fact, one
// charge).
using Charged = std::map<std::string, std::string>;

report::CheckResult judge(const config::CheckSpec& spec, const checks::Check& check,
                          const config::Assignment& assignment,
                          const std::vector<const run::ScenarioResult*>& results,
                          const std::vector<key_t>& keys, Charged& charged) {
  checks::CheckInput input{&spec, {}, keys, config::object_names(assignment.id, keys), &charged};
  for (const run::ScenarioResult* result : results) {
    const config::ScenarioSpec* scenario = assignment.scenario(result->name);
    if (scenario && spec.covers(result->name)) input.scenarios.push_back({scenario, result});
  }
  report::CheckResult r{
      spec.name, spec.type, 0,  spec.points, checks::Status::Failed, assignment.visibility_of(spec),
      "",        {},        {}, {}};
  // A scenario the grader could not run judges nothing: never let it pass a check by default.
  for (const auto& view : input.scenarios) {
    if (view.result->outcome != run::Outcome::CrashedGrader) continue;
    r.status = checks::Status::Failed;
    r.feedback = "Not judged: the grader could not run scenario '" + view.result->name + "' (" +
                 view.result->outcome_detail + "). This is a fault of the grader, not of the submission.";
    return r;
  }
  checks::Verdict v = check.evaluate(input);
  for (const auto& fact : v.charged) charged.try_emplace(fact, spec.name);
  checks::group_by_site(v.evidence);  // the checks that do not conclude() through it: exit, output
  // A usage check that found none of what it judges (no semget at all) judged nothing: it cannot pass
  // on that, unless the assignment made it optional.
  if (const checks::CheckType* type = checks::find_check_type(spec.type)) {
    if (const auto why = checks::nothing_to_judge(*type, input)) {
      v = checks::Verdict{};
      v.status = spec.optional ? checks::Status::Passed : checks::Status::Failed;
      v.feedback = (spec.optional ? "Nothing to judge (optional): " : "Nothing to judge: ") + *why + ".";
      r.nothing_to_judge = true;
    }
  }
  std::string notes;  // each a sentence of its own after the feedback
  for (std::string note : v.notes) {
    if (!note.empty()) note[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(note[0])));
    notes += " " + note + ".";
  }
  r.feedback = v.feedback;
  if (!notes.empty() && !r.feedback.empty() && r.feedback.back() != '.') r.feedback += ".";
  r.feedback += notes;
  if (v.advice) {
    r.advice = *v.advice;
    if (!notes.empty() && !r.advice->empty() && r.advice->back() != '.') *r.advice += ".";
    *r.advice += notes;
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
      r.score = v.earned ? spec.points * *v.earned
                : check.per_offence
                    ? std::max(0.0, spec.points - *check.per_offence * spec.share * v.offences)
                    : 0.0;
      break;
  }
  return r;
}

}  // namespace

namespace {

std::vector<report::CheckResult> score_views(const config::Assignment& assignment,
                                             const std::vector<const run::ScenarioResult*>& scenarios,
                                             const build::BuildResult& build,
                                             const std::vector<key_t>& keys) {
  std::vector<report::CheckResult> out;
  // Made here from the parameters config kept: the commands made them once already when the file was
  // read, so a mistake in them has been reported before anything ran.
  const auto made = checks::make_checks(assignment);
  Charged charged;
  for (size_t i = 0; i < assignment.checks.size(); ++i) {
    const config::CheckSpec& spec = assignment.checks[i];
    if (!build.usable()) {
      out.push_back({spec.name,
                     spec.type,
                     0,
                     spec.points,
                     checks::Status::Failed,
                     assignment.visibility_of(spec),
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
    out.push_back(judge(spec, *made[i], assignment, scenarios, keys, charged));
  }
  return out;
}

}  // namespace

namespace {

// The evidence as a person reads it: each piece says where else the same fault showed ("× 4
// processes, 2 scenarios").
std::vector<report::CheckResult> with_repeats(std::vector<report::CheckResult> results) {
  for (auto& r : results) {
    for (auto& e : r.evidence) {
      const std::string repeats = checks::repeats_text(e);
      if (!repeats.empty()) e.detail += " (" + repeats + ")";
    }
    r.parts = with_repeats(std::move(r.parts));
  }
  return results;
}

// Scores the checks with `score`, those over visible and hidden scenarios in two parts (parts.hpp):
// the parts give the score, the check judged whole what it says. Judged whole only where some check is
// in two parts.
template <class Score>
std::vector<report::CheckResult> in_parts(const config::Assignment& assignment,
                                          const std::set<std::string>& ran, const Score& score) {
  const Split split = split_checks(assignment, &ran);
  std::vector<report::CheckResult> judged = score(split.judged);
  if (split.judged.checks.size() == assignment.checks.size()) return with_repeats(std::move(judged));
  return with_repeats(join_parts(assignment, split, score(assignment), std::move(judged)));
}

}  // namespace

std::vector<report::CheckResult> score_checks(const config::Assignment& assignment,
                                              const std::vector<run::ScenarioResult>& scenarios,
                                              const build::BuildResult& build,
                                              const std::vector<key_t>& keys) {
  std::vector<const run::ScenarioResult*> views;
  std::set<std::string> ran;
  for (const auto& s : scenarios) {
    views.push_back(&s);
    ran.insert(s.name);
  }
  return in_parts(assignment, ran,
                  [&](const config::Assignment& a) { return score_views(a, views, build, keys); });
}

void total(report::Report& report) {
  report.score = 0;
  report.max_score = 0;
  for (const auto& c : report.checks) {
    report.score += c.score;
    report.max_score += c.max_score;
  }
}

namespace {

// A process's output quoted for a sentence: escaped, cut.
std::string quoted(const std::string& text) {
  std::string shown = util::escape_controls(text.size() > 80 ? text.substr(0, 80) + "..." : text, true);
  return "\"" + shown + "\"";
}

// For an output check that held in one run and not in another: what the same process printed in each.
std::string outputs_side_by_side(const report::CheckResult& failed, std::uint64_t failed_seed,
                                 const std::vector<const run::ScenarioResult*>& failing,
                                 const std::vector<const run::ScenarioResult*>& passing,
                                 std::uint64_t passed_seed) {
  if (failed.evidence.empty()) return {};
  const auto& e = failed.evidence.front();
  auto output_of = [&](const std::vector<const run::ScenarioResult*>& results) -> std::optional<std::string> {
    for (const run::ScenarioResult* s : results) {
      if (s->name != e.scenario) continue;
      for (const auto& p : s->processes) {
        if (p.name == e.process) return p.stdout_text;
      }
    }
    return std::nullopt;
  };
  const auto bad = output_of(failing), good = output_of(passing);
  if (!bad || !good || *bad == *good) return {};
  return fmt::format(" — in the run with seed {}, {} printed {}; in the run with seed {}, {}.", passed_seed,
                     e.process, quoted(*good), failed_seed, quoted(*bad));
}

}  // namespace

namespace {

std::vector<report::CheckResult> score_all_runs(const config::Assignment& assignment,
                                                const std::vector<std::vector<run::ScenarioResult>>& runs,
                                                const build::BuildResult& build,
                                                const std::vector<key_t>& keys) {
  // The k-th run of every scenario: what a check is judged on in its k-th run.
  size_t most = 1;
  for (const auto& r : runs) most = std::max(most, r.size());
  // Views, not copies: a run's trace can be large.
  auto run_k = [&](size_t k) {
    std::vector<const run::ScenarioResult*> out;
    for (const auto& r : runs) {
      if (!r.empty()) out.push_back(&r[std::min(k, r.size() - 1)]);
    }
    return out;
  };
  std::vector<report::CheckResult> first = score_views(assignment, run_k(0), build, keys);
  if (most == 1 || !build.usable()) return first;
  std::vector<std::vector<report::CheckResult>> per_run = {first};
  std::vector<std::vector<const run::ScenarioResult*>> results = {run_k(0)};
  for (size_t k = 1; k < most; ++k) {
    results.push_back(run_k(k));
    per_run.push_back(score_views(assignment, results.back(), build, keys));
  }
  std::vector<report::CheckResult> out;
  for (size_t i = 0; i < assignment.checks.size(); ++i) {
    const config::CheckSpec& spec = assignment.checks[i];
    // The runs that count: as many as the scenarios it covers ran.
    size_t n = 1;
    for (const auto& r : runs) {
      if (!r.empty() && spec.covers(r.front().name)) n = std::max(n, r.size());
    }
    int passed = 0;
    std::optional<size_t> failed_at, passed_at;
    for (size_t k = 0; k < n; ++k) {
      if (per_run[k][i].status == checks::Status::Passed) {
        ++passed;
        if (!passed_at) passed_at = k;
      } else if (!failed_at) {
        failed_at = k;
      }
    }
    const int total = static_cast<int>(n);
    const int needed = spec.runs == config::RunsRule::All        ? total
                       : spec.runs == config::RunsRule::Majority ? total / 2 + 1
                                                                 : 1;
    // The seed of run k: the one its scenarios ran with (they share it).
    auto seed_of = [&](size_t k) -> std::uint64_t {
      for (const run::ScenarioResult* s : results[k]) {
        if (s->seed) return *s->seed;
      }
      return 0;
    };
    report::CheckResult r = failed_at ? per_run[*failed_at][i] : per_run[0][i];
    r.runs = total;
    r.runs_passed = passed;
    if (failed_at) {
      r.failing_seed = seed_of(*failed_at);
      // The evidence is that run's; a call site that failed in other runs too counts them, and one that
      // failed only in another run is added. Where the runs differed, each piece names the seed that
      // replays it; where every run failed alike, any run replays it, and a seed would only be noise.
      const bool differed = passed > 0;
      auto seeded = [&](size_t run) {
        std::vector<checks::Evidence> pieces = per_run[run][i].evidence;
        if (differed) {
          for (auto& e : pieces) e.detail = fmt::format("seed {}: {}", seed_of(run), e.detail);
        }
        return pieces;
      };
      r.evidence = seeded(*failed_at);
      for (size_t k = *failed_at + 1; k < n; ++k) {
        if (per_run[k][i].status == checks::Status::Failed) checks::merge_run(r.evidence, seeded(k));
      }
    }
    if (passed >= needed) {
      if (failed_at) {  // held as its rule asks, though not in every run
        r = per_run[*passed_at][i];
        r.runs = total;
        r.runs_passed = passed;
        r.failing_seed = seed_of(*failed_at);
        r.feedback = fmt::format(
                         "Passed {} of {} runs ({} needed) — the result depends on the schedule (seed {} "
                         "fails). ",
                         passed, total, config::to_string(spec.runs), seed_of(*failed_at)) +
                     r.feedback;
      }
    } else {
      r.status = checks::Status::Failed;
      if (passed > 0) {
        const std::string prefix =
            fmt::format("Passed {} of {} runs — the result depends on the schedule (seed {} fails). ", passed,
                        total, seed_of(*failed_at));
        r.feedback =
            prefix + r.feedback +
            (spec.type == "output" ? outputs_side_by_side(r, seed_of(*failed_at), results[*failed_at],
                                                          results[*passed_at], seed_of(*passed_at))
                                   : std::string());
        if (r.advice) r.advice = prefix + *r.advice;
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

std::vector<report::CheckResult> score_runs(const config::Assignment& assignment,
                                            const std::vector<std::vector<run::ScenarioResult>>& runs,
                                            const build::BuildResult& build, const std::vector<key_t>& keys) {
  std::set<std::string> ran;
  for (const auto& r : runs) {
    if (!r.empty()) ran.insert(r.front().name);
  }
  return in_parts(assignment, ran,
                  [&](const config::Assignment& a) { return score_all_runs(a, runs, build, keys); });
}

run::ScenarioResult representative(std::vector<run::ScenarioResult>& runs,
                                   const std::vector<report::CheckResult>& checks) {
  size_t pick = 0;
  for (size_t k = 0; k < runs.size(); ++k) {
    bool failed = runs[k].outcome != run::Outcome::Completed;
    for (const auto& c : checks) {
      if (c.failing_seed && runs[k].seed && *c.failing_seed == *runs[k].seed) failed = true;
    }
    if (failed) {
      pick = k;
      break;
    }
  }
  run::ScenarioResult out = std::move(runs[pick]);
  if (runs.size() > 1) {
    for (size_t k = 0; k < runs.size(); ++k) {
      const auto& r = k == pick ? out : runs[k];
      out.runs.push_back({r.seed.value_or(0), r.outcome, r.seconds});
    }
  }
  return out;
}

report::Report fault_report(const config::Assignment& assignment, const std::string& student,
                            const std::string& why) {
  report::Report r;
  r.assignment = assignment.id;
  r.title = assignment.title;
  r.student = student;
  r.uses_keys = false;
  r.internal_fault = why;
  for (const auto& spec : assignment.checks) {
    report::CheckResult c;
    c.name = spec.name;
    c.type = spec.type;
    c.max_score = spec.points;
    c.status = checks::Status::Failed;
    c.visibility = assignment.visibility_of(spec);
    c.feedback =
        "Not graded: the grader failed (" + why + "). This is a fault of the grader, not of the submission.";
    r.checks.push_back(std::move(c));
  }
  total(r);
  return r;
}

}  // namespace ipcgrade::score
