#pragma once
#include <string>
#include <vector>

#include <string>
#include "grader/run/result.hpp"

namespace ipcgrade::build {

// none: nothing to build; refused: the submission itself was not accepted (see util::CopyResult).
enum class BuildStatus { None, Ok, Failed, Timeout, Refused };
// "none" | "ok" | "failed" | "timeout" | "refused": how the report's formats spell it.
std::string to_string(BuildStatus status);

// What building a submission gave (the build runs in the run's sandbox: see runner/build_step.hpp).
struct BuildResult {
  BuildStatus status = BuildStatus::None;
  double seconds = 0;
  int exit_code = 0;
  std::string log;            // compiler output, stdout and stderr interleaved, capped, control bytes escaped
  bool grader_fault = false;  // the sandbox could not run the build: the grade is not to be trusted
  std::string mode;           // the isolation the build ran in (namespaces | tracked)
  // What the build command left behind (IPC objects, POSIX objects, FIFOs), each removed by the grader:
  // reported as the build's, never charged to a scenario.
  std::vector<run::Leftover> leftovers;

  bool usable() const { return status == BuildStatus::None || status == BuildStatus::Ok; }
};

}  // namespace ipcgrade::build
