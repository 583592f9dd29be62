#pragma once
#include <set>
#include <string>
#include <vector>

#include "grader/config/assignment.hpp"
#include "grader/report/report.hpp"

namespace ipcgrade::score {

// A check that covers visible and hidden scenarios is judged as two parts, each on its own scenarios
// with the check's points split by scenario: before grades are published a student sees the visible
// part, judged on what they can see, and the check's score is the sum of its parts.
struct Split {
  config::Assignment judged;               // the assignment, its checks replaced by their parts
  std::vector<std::vector<size_t>> parts;  // for each check of the file: its parts in judged.checks
};
// `ran`: the scenarios that have results (null: all of them); a part whose scenarios did not run is
// none, and the check is judged whole on what did.
Split split_checks(const config::Assignment& assignment, const std::set<std::string>* ran = nullptr);

// The checks of the file: `whole` judged as written (what each says: feedback, evidence, notes), and
// `judged` the results of the parts (split.judged's checks), from which a check of two parts takes its
// score (their sum) and status (failed when either is), and keeps both in `parts`.
std::vector<report::CheckResult> join_parts(const config::Assignment& assignment, const Split& split,
                                            std::vector<report::CheckResult> whole,
                                            std::vector<report::CheckResult> judged);

}  // namespace ipcgrade::score
