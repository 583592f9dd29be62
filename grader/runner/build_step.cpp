#include "grader/runner/build_step.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "grader/util/text.hpp"
#include "grader/util/units.hpp"

namespace ipcgrade::runner {

namespace {
constexpr std::uint64_t kMaxLog = 256ULL * 1024;
}  // namespace

build::BuildResult run_build(const config::Assignment& assignment, const RunContext& base) {
  const config::BuildSpec& b = *assignment.build;
  config::ScenarioSpec spec;
  spec.name = "build";
  config::ProcessSpec sh;
  sh.name = "build";
  sh.argv = {"/bin/sh", "-c", b.command};
  spec.processes = {sh};
  spec.limits = assignment.limits;
  spec.limits.wall = b.timeout;
  spec.limits.cpu = b.timeout;
  spec.limits.memory = b.limits.memory;
  spec.limits.processes = b.limits.processes;
  spec.limits.disk = b.limits.disk;
  spec.limits.file_size = b.limits.disk;
  spec.limits.output = kMaxLog;

  RunContext context = base;
  context.expand = false;
  context.is_build = true;
  context.trace_pipe_io = false;
  context.judged_dir.clear();
  context.env = clean_environment(context.work_dir, assignment.env);
  // -g so evidence can name source lines; -O0 so those lines are the ones the student wrote.
  context.env->push_back("CFLAGS=-g -O0");
  context.env->push_back("CXXFLAGS=-g -O0");

  spdlog::debug("build: sh -c '{}' in {}", b.command, context.work_dir.string());
  const run::ScenarioResult r = run_scenario(spec, context);
  build::BuildResult result;
  result.seconds = r.seconds;
  result.mode = r.mode;
  std::string log;
  if (!r.processes.empty()) {
    const run::ProcessResult& p = r.processes.front();
    log = p.stdout_text;
    if (p.stdout_cut) log += fmt::format("\n[... {} bytes cut ...]\n", p.stdout_cut);
    if (!p.start_error.empty()) log += "could not start /bin/sh: " + p.start_error + "\n";
    result.exit_code = p.exit_code.value_or(-1);
  }
  result.leftovers = r.leftovers;
  if (!r.leftovers.empty()) {
    size_t reclaimed = 0;
    for (const auto& l : r.leftovers) reclaimed += l.reclaimed ? 1 : 0;
    log += fmt::format(
        "\n[the build left {} object(s) behind ({} removed by the grader): see build.leftovers]\n",
        r.leftovers.size(), reclaimed);
  }
  switch (r.outcome) {
    case run::Outcome::Completed:
      result.status = result.exit_code == 0 && r.processes.size() == 1 && r.processes[0].started
                          ? build::BuildStatus::Ok
                          : build::BuildStatus::Failed;
      if (result.status == build::BuildStatus::Failed && !r.processes.empty() && r.processes[0].signal)
        log += fmt::format("\n[build command was killed by signal {}]\n", *r.processes[0].signal);
      else if (result.status == build::BuildStatus::Failed)
        log += fmt::format("\n[build command exited with code {}]\n", result.exit_code);
      // make's "No targets specified and no makefile found" says what, not why: the folder has none.
      if (result.status == build::BuildStatus::Failed && b.command.rfind("make", 0) == 0 &&
          !std::filesystem::exists(context.work_dir / "Makefile") &&
          !std::filesystem::exists(context.work_dir / "makefile") &&
          !std::filesystem::exists(context.work_dir / "GNUmakefile"))
        log += "[there is no Makefile in the submission: the assignment builds it with '" + b.command +
               "', so the folder needs a Makefile (or makefile) at its top]\n";
      break;
    case run::Outcome::Timeout:
      result.status = build::BuildStatus::Timeout;
      log += fmt::format("\n[build stopped: it ran longer than its {} ms time limit]\n", b.timeout.count());
      break;
    case run::Outcome::Deadlock:
    case run::Outcome::Limit:
      result.status = build::BuildStatus::Failed;
      log += fmt::format("\n[build stopped: {}]\n", r.outcome_detail);
      break;
    case run::Outcome::CrashedGrader:
      result.status = build::BuildStatus::Failed;
      result.grader_fault = true;
      log += fmt::format("\n[the grader could not run the build: {}]\n", r.outcome_detail);
      break;
  }
  // Text from the submission reaches terminals, reports and Gradescope: no control byte stays raw.
  result.log = util::escape_controls(log);
  return result;
}

}  // namespace ipcgrade::runner
