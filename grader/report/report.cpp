#include "grader/report/report.hpp"

namespace ipcgrade::report {

std::string to_string(checks::Status status) {
  return status == checks::Status::Passed ? "passed" : "failed";
}

bool Report::grader_failed() const {
  if (build.grader_fault || !internal_fault.empty()) return true;
  for (const auto& s : scenarios) {
    if (s.outcome == run::Outcome::CrashedGrader) return true;
  }
  return false;
}

bool Report::all_passed() const {
  for (const auto& c : checks) {
    if (c.status == checks::Status::Failed) return false;
  }
  return build.usable();
}

}  // namespace ipcgrade::report
