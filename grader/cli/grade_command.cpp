#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "checks/make_checks.hpp"
#include "grader/batch/progress.hpp"
#include "grader/cli/commands.hpp"
#include "grader/cli/guarded.hpp"
#include "grader/config/assignment.hpp"
#include "grader/config/error.hpp"
#include "grader/observer/observer.hpp"
#include "grader/report/exports.hpp"
#include "grader/report/pages.hpp"
#include "grader/report/render.hpp"
#include "grader/run/trace_file.hpp"
#include "grader/runner/grade.hpp"
#include "grader/score/score.hpp"
#include "grader/util/atomic_file.hpp"

namespace ipcgrade::cli {

using run::trace_file;

void add_grade_command(CLI::App& app, GradeArgs& args) {
  CLI::App* cmd = app.add_subcommand("grade", "grade one submission against an assignment");
  cmd->add_option("ASSIGNMENT", args.assignment, "assignment.yaml or the folder that holds it")->required();
  cmd->add_option("SUBMISSION", args.submission, "the student's folder (copied; never modified)")->required();
  cmd->add_option("--student", args.student, "student id (default: the submission folder's name)");
  cmd->add_option("--report", args.report, "write the YAML report to FILE (atomically)");
  cmd->add_flag("--json", args.json, "print the report as JSON instead of the summary");
  cmd->add_option("--trace", args.trace, "write every scenario's trace of IPC and pipe calls to FILE (JSON)");
  cmd->add_option("--gradescope", args.gradescope, "write Gradescope's results.json to FILE");
  cmd->add_option("--junit", args.junit, "write JUnit XML (one testcase per check) to FILE");
  cmd->add_option(
      "--html", args.html,
      "write the report as one self-contained HTML page, with a sequence chart of each scenario, to FILE");
  cmd->add_option("--markdown", args.markdown,
                  "write the summary as Markdown, with a Mermaid diagram of each failed scenario, to FILE");
  add_isolation_option(cmd, args.isolation);
  add_tracer_option(cmd, args.tracer);
  add_schedule_options(cmd, args.runs, args.seed);
}

void add_schedule_options(CLI::App* cmd, int& runs, std::string& seed) {
  cmd->add_option("--runs", runs,
                  "run every scenario N times, each under a seeded schedule perturbation (default: each "
                  "scenario's own runs:)")
      ->check(CLI::Range(1, 100));
  cmd->add_option("--seed", seed,
                  "the first run's seed (then S+1, ...): --seed S --runs 1 runs a reported run again");
}

std::optional<std::uint64_t> parse_seed(const std::string& seed) {
  if (seed.empty()) return std::nullopt;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(seed.c_str(), &end, 10);
  if (*end != '\0' || seed[0] == '-')
    throw config::ConfigError("--seed '" + seed + "' must be a whole number");
  return v;
}

void add_isolation_option(CLI::App* cmd, std::string& isolation) {
  cmd->add_option("--isolation", isolation,
                  "auto (default): namespaces where the kernel allows, else tracked; namespaces: fail "
                  "rather than fall back; tracked: no namespaces, remove exactly what the run created")
      ->check(CLI::IsMember({"auto", "namespaces", "tracked"}));
}

void add_tracer_option(CLI::App* cmd, std::string& tracer) {
  cmd->add_option("--tracer", tracer,
                  "auto (default): the BPF observer where the grader may load it and the scenario needs "
                  "nothing only ptrace can do, else ptrace; bpf: fail where it cannot be loaded; ptrace: "
                  "every traced call stops the program")
      ->check(CLI::IsMember({"auto", "bpf", "ptrace"}));
}

std::optional<config::TracerChoice> parse_tracer(const std::string& tracer) {
  if (tracer.empty()) return std::nullopt;
  const auto choice = config::tracer_choice(tracer);
  if (choice == config::TracerChoice::Bpf) {
    if (const std::string why = observer::Observer::unavailable(); !why.empty())
      throw config::ConfigError("--tracer bpf: " + why);
  }
  return choice;
}

namespace {

// Everything `grade` promises to write: the files asked for, then the summary (or JSON) on stdout.
int write_outputs(const GradeArgs& args, const report::Report& r) {
  if (!args.report.empty()) util::write_file_atomically(args.report, report::to_yaml(r));
  if (!args.trace.empty())
    util::write_file_atomically(
        args.trace,
        trace_file(r.scenarios).dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  if (!args.gradescope.empty()) util::write_file_atomically(args.gradescope, report::gradescope_json(r));
  if (!args.junit.empty()) util::write_file_atomically(args.junit, report::junit_xml(r));
  if (!args.html.empty()) util::write_file_atomically(args.html, report::html_report(r));
  if (!args.markdown.empty()) util::write_file_atomically(args.markdown, report::markdown_report(r));
  if (args.json) {
    std::cout << report::to_json(r).dump(2) << "\n";
  } else {
    const bool color = ::isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
    std::cout << report::summary(r, color,
                                 ::isatty(STDOUT_FILENO) ? batch::terminal_width(STDOUT_FILENO) - 1 : 0);
  }
  std::cout.flush();
  if (r.grader_failed()) {
    if (r.internal_fault.empty())
      std::cerr
          << "ipcgrade: internal error: a scenario could not be run (see its outcome); the grade is not "
             "valid. This is a fault of the grader, not of the submission.\n";
    return kExitInternal;
  }
  return r.all_passed() ? kExitPassed : kExitFailed;
}

}  // namespace

int run_grade(const GradeArgs& args) {
  const config::Assignment assignment = checks::load_assignment(args.assignment);
  std::error_code ec;
  if (!std::filesystem::is_directory(args.submission, ec)) {
    throw config::ConfigError(args.submission + ": the submission must be a folder");
  }
  runner::GradeOptions options{
      args.student,          false, runner::isolation_from_string(args.isolation), std::nullopt,
      parse_seed(args.seed), {}};
  if (args.runs > 0) options.runs = args.runs;
  options.tracer = parse_tracer(args.tracer);
  if (const char* secret = std::getenv("IPCGRADE_KEY_SECRET")) options.key_secret = secret;
  // The grading runs in a child: if it dies, this process still writes the report and the exports.
  return run_guarded(
      [&] { return write_outputs(args, runner::grade_submission(assignment, args.submission, options)); },
      runner::grading_limit(assignment, options),
      [&](const std::string& why) {
        write_outputs(args,
                      score::fault_report(assignment, runner::student_of(args.submission, options), why));
      });
}

}  // namespace ipcgrade::cli
