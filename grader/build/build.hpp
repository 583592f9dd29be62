#pragma once
#include <filesystem>
#include <string>

#include "grader/config/assignment.hpp"

namespace ipcgrade::build {

struct BuildResult {
  std::string status = "none";  // none (nothing to build) | ok | failed | timeout
  double seconds = 0;
  int exit_code = 0;
  std::string log;  // compiler output, stdout and stderr interleaved, capped

  bool usable() const { return status == "none" || status == "ok"; }
};

// Runs the assignment's build command with /bin/sh -c in `dir`, with CFLAGS/CXXFLAGS asking for debug
// information, and kills the whole build (its process group) at the timeout.
BuildResult run_build(const config::BuildSpec& spec, const std::filesystem::path& dir);

}  // namespace ipcgrade::build
