#pragma once
#include <chrono>
#include <filesystem>
#include <string>

#include "grader/config/assignment.hpp"
#include "grader/report/report.hpp"
#include "grader/runner/scenario.hpp"

namespace ipcgrade::runner {

struct GradeOptions {
  std::string student;        // empty: the submission folder's name
  bool visible_only = false;  // `check`: hidden scenarios are neither run nor named
  Isolation isolation = Isolation::Auto;
  std::optional<int> runs;            // `--runs N`: every scenario runs N times (else its `runs:`)
  std::optional<std::uint64_t> seed;  // `--seed S`: the first run's seed, then S+1, ... (else drawn)
  std::string key_secret;             // IPCGRADE_KEY_SECRET: mixed into derived keys (see assign_keys)
  std::optional<config::TracerChoice> tracer = {};  // `--tracer` (else each scenario's `tracer:`)
};

// The longest a grading may take, however the submission behaves: the build's timeout and every run of
// every scenario at its wall limit with the longest graces, and a margin. A grading past it is a fault.
std::chrono::seconds grading_limit(const config::Assignment& assignment, const GradeOptions& options);
// The student id a grading uses: --student, or the submission folder's name.
std::string student_of(const std::filesystem::path& submission, const GradeOptions& options);

// The whole flow for one submission: scratch copy, build, every scenario in its sandbox, checks,
// score. Throws ConfigError for problems of the assignment (e.g. a student missing from the roster).
report::Report grade_submission(const config::Assignment& assignment, const std::filesystem::path& submission,
                                const GradeOptions& options);

// The test of the grader's own failure: IPCGRADE_TEST_FAULT=segv|abort|bad_alloc|hang makes the grading
// process fail that way here, with its scratch folder made and its build done (tests/never_crash_test.cpp).
void fault_injection_point();

}  // namespace ipcgrade::runner
