#pragma once
#include <filesystem>

#include "grader/config/assignment.hpp"
#include "grader/runner/placeholders.hpp"
#include "grader/runner/result.hpp"

namespace ipcgrade::run {

struct RunContext {
  Placeholders placeholders;       // keys, student, folders; `index` is set per process
  std::filesystem::path work_dir;  // the scratch copy: every process starts there
  bool trace_pipe_io = false;      // also trace read/write on descriptors above 2 (pipe checks, `run`)
  bool inherit_stdio = false;      // `run`: programs use the grader's terminal, output is not captured
  bool expand = true;              // `run`: the command line is used as given, placeholders and all
  std::string judged_dir;          // programs under it are judged; default: work_dir
};

// Runs one scenario in a fresh sandbox and returns what happened. Never throws for anything the
// student's programs do; a failure of the grader's own machinery comes back as outcome CrashedGrader.
ScenarioResult run_scenario(const config::ScenarioSpec& spec, const RunContext& context);

// The part of run_scenario that runs inside the sandbox, in the supervisor process.
ScenarioResult supervise_scenario(const config::ScenarioSpec& spec, const RunContext& context,
                                  pid_t sandbox_init);

}  // namespace ipcgrade::run
