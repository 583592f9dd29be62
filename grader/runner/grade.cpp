#include "grader/runner/grade.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "grader/build/build.hpp"
#include "grader/build/scratch.hpp"
#include "grader/runner/keys.hpp"
#include "grader/runner/scenario.hpp"
#include "grader/score/score.hpp"

namespace fs = std::filesystem;

namespace ipcgrade::run {

report::Report grade_submission(const config::Assignment& assignment, const fs::path& submission,
                                const GradeOptions& options) {
  report::Report r;
  r.assignment = assignment.id;
  r.title = assignment.title;
  const fs::path absolute = fs::weakly_canonical(fs::absolute(submission));
  r.student = options.student.empty() ? absolute.filename().string() : options.student;
  r.keys = assign_keys(assignment, r.student);
  r.mode = "namespaces";

  config::Assignment shown = assignment;
  if (options.visible_only) {
    std::erase_if(shown.scenarios, [](const auto& s) { return s.visibility == config::Visibility::Hidden; });
    // A check that covers only hidden scenarios is not shown either.
    std::erase_if(shown.checks, [&](const config::CheckSpec& c) {
      if (c.scenarios.empty()) return false;
      for (const auto& name : c.scenarios) {
        if (shown.scenario(name)) return false;
      }
      return true;
    });
    for (auto& c : shown.checks) {
      std::erase_if(c.scenarios, [&](const std::string& name) { return !shown.scenario(name); });
    }
  }

  build::Scratch scratch(absolute);
  if (assignment.build) {
    spdlog::info("building {} with '{}'", r.student, assignment.build->command);
    r.build = build::run_build(*assignment.build, scratch.dir());
  }
  if (r.build.usable()) {
    RunContext context;
    context.placeholders = {r.keys, 0, r.student, assignment.dir.string(), scratch.dir().string()};
    context.work_dir = scratch.dir();
    context.isolation = options.isolation;
    // read/write are traced only when a check needs them: they are the most frequent calls.
    for (const auto& c : shown.checks) {
      context.trace_pipe_io = context.trace_pipe_io || c.type == "pipe-closure" || c.type == "pipe-messages";
    }
    for (const auto& scenario : shown.scenarios) {
      spdlog::info("running scenario '{}'", scenario.name);
      r.scenarios.push_back(run_scenario(scenario, context));
      if (!r.scenarios.back().mode.empty()) r.mode = r.scenarios.back().mode;
    }
  }
  r.checks = score::score_checks(shown, r.scenarios, r.build, r.keys);
  score::total(r);
  return r;
}

}  // namespace ipcgrade::run
