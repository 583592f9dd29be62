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

// Sets the report's score and max_score from its checks (checks not checked count for neither).
void total(report::Report& report);

}  // namespace ipcgrade::score
