#pragma once
#include <string>

#include "grader/report/report.hpp"

namespace ipcgrade::report {

// Gradescope's results.json: score, execution_time, output, and one test per check (name, score,
// max_score, status, output, visibility). Checks that cover a hidden scenario are "after_published".
std::string gradescope_json(const Report& report);

// JUnit XML as GitLab, GitHub and Jenkins read it: one testsuite, one testcase per check, a
// <failure> with the feedback and the evidence for each failed check.
std::string junit_xml(const Report& report);

// Wall time of the whole grading, for Gradescope's execution_time.
double total_seconds(const Report& report);

}  // namespace ipcgrade::report
