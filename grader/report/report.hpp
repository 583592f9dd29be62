#pragma once
#include <sys/types.h>

#include <string>
#include <vector>

#include "checks/check.hpp"
#include "grader/build/build.hpp"
#include "grader/runner/result.hpp"

namespace ipcgrade::report {

// The result of one check, scored.
struct CheckResult {
  std::string name;
  std::string type;
  double score = 0;
  double max_score = 0;
  std::string status;      // passed | failed
  std::string visibility;  // visible | hidden (covers a hidden scenario)
  std::string feedback;
  std::vector<checks::Evidence> evidence;
};

// The one result model every output format renders.
struct Report {
  std::string assignment;
  std::string title;
  std::string student;
  std::vector<key_t> keys;
  double score = 0;
  double max_score = 0;
  std::string mode;
  build::BuildResult build;
  std::vector<CheckResult> checks;
  std::vector<run::ScenarioResult> scenarios;

  bool all_passed() const;
  bool grader_failed() const;  // a scenario ended crashed-grader: the grade is not to be trusted
};

}  // namespace ipcgrade::report
