#pragma once
#include <vector>

#include "grader/build/build.hpp"
#include "grader/config/assignment.hpp"
#include "grader/report/report.hpp"

namespace ipcgrade::score {

// Runs every check of the assignment on the scenario results and applies points and deductions.
// A submission that did not build scores 0 on every check.
std::vector<report::CheckResult> score_checks(const config::Assignment& assignment,
                                              const std::vector<run::ScenarioResult>& scenarios,
                                              const build::BuildResult& build,
                                              const std::vector<key_t>& keys);

// The same for scenarios that ran several times (`runs`): each check is judged on every run (the k-th
// run of each scenario it covers; a scenario with fewer runs gives its last) and holds when it held in
// all, a majority or any of them, as its `runs` says. A check that held in some runs and not others
// says so ("passed 3 of 5 runs — the result depends on the schedule (seed 81723 fails)"), with the
// evidence of the first run it failed in and, for output, what two runs printed side by side.
std::vector<report::CheckResult> score_runs(const config::Assignment& assignment,
                                            const std::vector<std::vector<run::ScenarioResult>>& runs,
                                            const build::BuildResult& build, const std::vector<key_t>& keys);
// The run that stands for a scenario in the report: the first that did not complete or whose checks
// failed there, else the first; its `runs` lists every run's seed and outcome.
run::ScenarioResult representative(std::vector<run::ScenarioResult>& runs,
                                   const std::vector<report::CheckResult>& checks);

// Sets the report's score and max_score from its checks (checks not checked count for neither).
void total(report::Report& report);

// The report of a grading whose process failed before it could write one (killed by a signal, out of
// memory, past its time): every check of `assignment` at 0 saying why, and `internal_fault`, so that the
// report, Gradescope's results.json and JUnit still say what happened.
report::Report fault_report(const config::Assignment& assignment, const std::string& student,
                            const std::string& why);

}  // namespace ipcgrade::score
