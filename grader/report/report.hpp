#pragma once
#include <sys/types.h>

#include <string>
#include <vector>

#include "checks/check.hpp"
#include "grader/build/build.hpp"
#include "grader/run/result.hpp"
#include "grader/util/copy_tree.hpp"

namespace ipcgrade::report {

// The result of one check, scored.
struct CheckResult {
  std::string name;
  std::string type;
  double score = 0;
  double max_score = 0;
  checks::Status status = checks::Status::Failed;
  config::Visibility visibility = config::Visibility::Visible;  // hidden: it covers a hidden scenario
  std::string feedback;
  std::vector<checks::Evidence> evidence;
  std::vector<std::string> notes;  // what the check saw but did not judge (also at the end of `feedback`)
  // The feedback without the first piece of evidence it opens with (see checks::Verdict::advice), notes
  // included: what the terminal prints above the evidence list. Unset: the feedback stands on its own.
  std::optional<std::string> advice;
  // Scenarios that ran several times: in how many runs the check held, and the seed of the first run it
  // failed in (`grade --seed S --runs 1` replays it).
  int runs = 1;
  int runs_passed = 1;
  std::optional<std::uint64_t> failing_seed = {};
  // It found none of what it judges (checks::nothing_to_judge).
  bool nothing_to_judge = false;
  // A check over visible and hidden scenarios: its visible part and its hidden part, each judged on its
  // own scenarios (`scenarios`) with its share of the points; the check's score is their sum.
  std::vector<CheckResult> parts = {};
  std::vector<std::string> scenarios = {};  // a part's scenarios
};

// The one result model every output format renders.
struct Report {
  std::string assignment;
  std::string title;
  std::string student;
  std::vector<key_t> keys;
  bool uses_keys = true;  // the assignment names IPC keys: the summary shows them
  double score = 0;
  double max_score = 0;
  std::string mode;
  build::BuildResult build;
  util::CopyResult submission;  // what of the submission was copied, skipped, or why it was refused
  std::vector<CheckResult> checks;
  std::vector<run::ScenarioResult> scenarios;
  // The grading process itself failed (killed by a signal, out of memory, past its time): nothing was
  // judged, every check scores 0, and this says why. Exit code 3; `batch --resume` grades it again.
  std::string internal_fault;

  bool all_passed() const;
  // The build or a scenario could not be run by the grader (crashed-grader): the grade is not to be trusted.
  bool grader_failed() const;
};

// "passed" | "failed": how the report's formats spell a check's status.
std::string to_string(checks::Status status);

}  // namespace ipcgrade::report
