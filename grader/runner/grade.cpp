#include "grader/runner/grade.hpp"
#include "grader/trace/calls.hpp"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <new>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "checks/make_checks.hpp"
#include "grader/build/scratch.hpp"
#include "grader/runner/build_step.hpp"
#include "grader/runner/keys.hpp"
#include "grader/runner/scenario.hpp"
#include "grader/score/parts.hpp"
#include "grader/score/score.hpp"
#include "grader/util/fingerprint.hpp"
#include "grader/util/text.hpp"

namespace fs = std::filesystem;

namespace ipcgrade::runner {

namespace {

// `files:` into the working folder, after the build (which must not see or change them), over whatever
// the submission holds at those paths.
// The working folder was written by the build (in tracked mode directly): a folder on the way may be a
// symlink to anywhere, so each one that is not a real folder is replaced by one.
void copy_instructor_files(const config::Assignment& assignment, const fs::path& work) {
  for (const auto& file : assignment.files) {
    std::error_code ec;
    fs::path at = work;
    const fs::path relative(file);
    for (auto part = relative.begin(); part != relative.end(); ++part) {
      at /= *part;
      const auto status = fs::symlink_status(at, ec);
      const bool last = std::next(part) == relative.end();
      if (last || (fs::exists(status) && !fs::is_directory(status))) fs::remove_all(at, ec);
      if (!last) fs::create_directory(at, ec);
    }
    fs::copy(assignment.dir / file, at, fs::copy_options::recursive, ec);
    if (ec)
      throw std::runtime_error(fmt::format("cannot copy {} into the working folder: {}", file, ec.message()));
  }
}

}  // namespace

report::Report grade_submission(const config::Assignment& assignment, const fs::path& submission,
                                const GradeOptions& options) {
  report::Report r;
  std::vector<std::vector<run::ScenarioResult>> all_runs;  // each scenario's runs
  r.assignment = assignment.id;
  r.title = assignment.title;
  const fs::path absolute = fs::weakly_canonical(fs::absolute(submission));
  r.student = student_of(submission, options);
  r.keys = assign_keys(assignment, r.student, options.key_secret);
  r.uses_keys = assignment.uses_keys;
  r.mode = options.isolation == Isolation::Tracked ? "tracked" : "namespaces";

  config::Assignment shown = assignment;
  if (options.visible_only) {
    // A check over visible and hidden scenarios is worth its visible part here, as in `ipcgrade kit`.
    const score::Split split = score::split_checks(assignment);
    for (size_t i = 0; i < shown.checks.size(); ++i) {
      if (split.parts[i].size() == 2) shown.checks[i].points = split.judged.checks[split.parts[i][0]].points;
    }
    std::erase_if(shown.scenarios, [](const auto& s) { return s.visibility == config::Visibility::Hidden; });
    // Nor a check that covers only hidden scenarios (or a process only they run).
    std::erase_if(shown.checks, [&](const config::CheckSpec& c) { return !assignment.shown_in_check(c); });
    for (auto& c : shown.checks) {
      std::erase_if(c.scenarios, [&](const std::string& name) { return !shown.scenario(name); });
    }
  }

  build::Scratch scratch(absolute, assignment.limits.submission);
  r.submission = scratch.copied();
  const std::uint64_t submission_seed = util::Fingerprint()
                                            .add(assignment.id)
                                            .add(std::to_string(util::fingerprint_files(scratch.dir())))
                                            .value() %
                                        1000000;
  RunContext context;
  context.placeholders = {r.keys,
                          0,
                          r.student,
                          assignment.dir.string(),
                          scratch.dir().string(),
                          config::object_names(assignment.id, r.keys)};
  context.work_dir = scratch.dir();
  context.isolation = options.isolation;
  context.tracer = options.tracer;
  context.env = clean_environment(scratch.dir(), assignment.env);
  if (!r.submission.refused.empty()) {
    r.build.status = build::BuildStatus::Refused;
    r.build.log = "submission refused: " + r.submission.refused + "\n";
  } else if (assignment.build) {
    spdlog::info("building {} with '{}'", r.student, assignment.build->command);
    r.build = run_build(assignment, context);
    if (!r.build.mode.empty()) r.mode = r.build.mode;
    if (!r.build.grader_fault && !r.build.log.empty() && r.build.log.back() != '\n') r.build.log += "\n";
  }
  // File names are the submission's own text: escaped like the rest of the log.
  if (!r.submission.skipped.empty())
    r.build.log = util::escape_controls(r.submission.describe_skipped()) + "\n" + r.build.log;
  fault_injection_point();
  if (r.build.usable()) {
    copy_instructor_files(assignment, scratch.dir());
    context.instructor_files = assignment.files;
    context.private_files = assignment.private_files;
    // A pipe's reads and writes (the call table's Stop::PipeIo rows) are traced only when a check judges
    // them: they are the most frequent calls.
    const auto& table = trace::call_table();
    context.trace_pipe_io = std::any_of(table.begin(), table.end(), [&](const trace::CallRow& row) {
      return row.stop == trace::Stop::PipeIo && checks::judges_call(shown, row.name);
    });
    context.trace_ipc_results =
        std::any_of(shown.checks.begin(), shown.checks.end(),
                    [](const config::CheckSpec& c) { return c.type == "ipc-errors"; });
    // A scenario that runs more than once (or with a seed given) runs under a schedule perturbation
    // per run, seeded S, S+1, ...: the seed names the run, and `--seed S --runs 1` runs it again. S comes
    // from the assignment and the submission's files (fingerprinted before the build), so identical
    // copies in a class, and the same submission graded again, meet the same schedules.
    const std::uint64_t first_seed = options.seed ? *options.seed : submission_seed;
    for (const auto& scenario : shown.scenarios) {
      const int runs = options.runs.value_or(scenario.runs);
      const bool perturbed = runs > 1 || options.seed;
      std::vector<run::ScenarioResult> results;
      for (int k = 0; k < runs; ++k) {
        spdlog::info("running scenario '{}'{}", scenario.name,
                     runs > 1 ? fmt::format(" (run {} of {})", k + 1, runs) : "");
        context.schedule_seed = perturbed
                                    ? std::optional<std::uint64_t>(first_seed + static_cast<std::uint64_t>(k))
                                    : std::nullopt;
        results.push_back(run_scenario(scenario, context));
        results.back().seed = context.schedule_seed;
        if (!results.back().mode.empty()) r.mode = results.back().mode;
        // A grader fault is not the schedule's: one run says it.
        if (results.back().outcome == run::Outcome::CrashedGrader) break;
      }
      all_runs.push_back(std::move(results));
    }
  }
  r.checks = score::score_runs(shown, all_runs, r.build, r.keys);
  for (auto& results : all_runs) r.scenarios.push_back(score::representative(results, r.checks));
  score::total(r);
  return r;
}

std::chrono::seconds grading_limit(const config::Assignment& assignment, const GradeOptions& options) {
  using std::chrono::duration_cast;
  using std::chrono::seconds;
  seconds total = seconds(120);  // copying, the audit of each run, the reports
  if (assignment.build) total += duration_cast<seconds>(assignment.build->timeout) + seconds(10);
  for (const auto& s : assignment.scenarios) {
    const auto per_run = duration_cast<seconds>(s.limits.wall + s.limits.orphan_grace) + seconds(2 * 10 + 10);
    const int runs = options.runs.value_or(s.runs);
    // A single run may be followed by the BPF observer, and graded again under ptrace if the observer
    // lost records: a program that floods its ring must not push the grading past its limit.
    const bool observed =
        runs == 1 && options.tracer.value_or(s.limits.tracer) != config::TracerChoice::Ptrace;
    total += per_run * (observed ? 2 : runs);
  }
  return total;
}

std::string student_of(const std::filesystem::path& submission, const GradeOptions& options) {
  return options.student.empty() ? fs::weakly_canonical(fs::absolute(submission)).filename().string()
                                 : options.student;
}

void fault_injection_point() {
  const char* fault = std::getenv("IPCGRADE_TEST_FAULT");
  if (!fault) return;
  const std::string how = fault;
  if (how == "segv") ::raise(SIGSEGV);
  if (how == "abort") std::abort();
  if (how == "bad_alloc") throw std::bad_alloc();
  if (how == "hang") ::pause();
}

}  // namespace ipcgrade::runner
