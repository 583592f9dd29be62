#pragma once
#include <string>

namespace ipcgrade::build {

// What building a submission gave (the build runs in the run's sandbox: see runner/build_step.hpp).
struct BuildResult {
  std::string status = "none";  // none (nothing to build) | ok | failed | timeout | refused (the submission)
  double seconds = 0;
  int exit_code = 0;
  std::string log;            // compiler output, stdout and stderr interleaved, capped, control bytes escaped
  bool grader_fault = false;  // the sandbox could not run the build: the grade is not to be trusted
  std::string mode;           // the isolation the build ran in (namespaces | tracked)

  bool usable() const { return status == "none" || status == "ok"; }
};

}  // namespace ipcgrade::build
