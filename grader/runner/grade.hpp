#pragma once
#include <filesystem>
#include <string>

#include "grader/config/assignment.hpp"
#include "grader/report/report.hpp"
#include "grader/runner/scenario.hpp"

namespace ipcgrade::run {

struct GradeOptions {
  std::string student;        // empty: the submission folder's name
  bool visible_only = false;  // `check`: hidden scenarios are neither run nor named
  Isolation isolation = Isolation::Auto;
  std::optional<int> runs;            // `--runs N`: every scenario runs N times (else its `runs:`)
  std::optional<std::uint64_t> seed;  // `--seed S`: the first run's seed, then S+1, ... (else drawn)
};

// The whole flow for one submission: scratch copy, build, every scenario in its sandbox, checks,
// score. Throws ConfigError for problems of the assignment (e.g. a student missing from the roster).
report::Report grade_submission(const config::Assignment& assignment, const std::filesystem::path& submission,
                                const GradeOptions& options);

}  // namespace ipcgrade::run
