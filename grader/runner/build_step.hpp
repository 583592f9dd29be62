#pragma once
#include <filesystem>

#include "grader/build/build.hpp"
#include "grader/config/assignment.hpp"
#include "grader/runner/scenario.hpp"

namespace ipcgrade::runner {

// Runs the assignment's build command (`/bin/sh -c COMMAND`) in the working folder, in the same sandbox
// as a scenario — the run's uid, namespaces, a root of its own, no network, the clean environment plus
// CFLAGS/CXXFLAGS asking for debug information, and `build.limits` — untimed by nothing but
// `build.timeout`. Every process of the build ends with it. In namespaces mode the working folder is a
// tmpfs of `build.limits.disk` whose content replaces the grader's copy when the build ends.
build::BuildResult run_build(const config::Assignment& assignment, const RunContext& context);

}  // namespace ipcgrade::runner
