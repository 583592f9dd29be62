#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <regex>
#include <thread>

#include "checks/make_checks.hpp"
#include "grader/batch/batch.hpp"
#include "grader/batch/worker.hpp"
#include "grader/cli/commands.hpp"
#include "grader/config/assignment.hpp"
#include "grader/config/error.hpp"

namespace ipcgrade::cli {

void add_batch_command(CLI::App& app, BatchArgs& args) {
  CLI::App* cmd = app.add_subcommand("batch", "grade a whole class: one sub-folder per student");
  cmd->add_option("ASSIGNMENT", args.assignment, "assignment.yaml or the folder that holds it")->required();
  cmd->add_option("SUBMISSIONS_DIR", args.submissions,
                  "one sub-folder per student (its name is the student id)")
      ->required();
  cmd->add_option("--out", args.out, "where reports, gradebook.csv and summary.md go")->required();
  cmd->add_option("--jobs", args.jobs, "submissions graded at once (default: the number of cores)");
  cmd->add_option(
      "--shard", args.shard,
      "I/N: grade only the students whose id hashes to I mod N (adding a student moves no other)");
  cmd->add_flag("--resume", args.resume,
                "keep complete reports of an earlier run; grade the others, and again those that faulted");
  cmd->add_flag("--force", args.force, "grade every student again into an --out that holds reports");
  cmd->add_flag("--gradescope", args.gradescope, "also write <student>/results.json for Gradescope");
  cmd->add_flag("--junit", args.junit, "also write <student>/junit.xml");
  add_isolation_option(cmd, args.isolation);
  add_tracer_option(cmd, args.tracer);
  add_schedule_options(cmd, args.runs, args.seed);
}

int run_batch(const BatchArgs& args) {
  const config::Assignment assignment = checks::load_assignment(args.assignment);
  batch::Options o;
  o.assignment = std::filesystem::absolute(args.assignment);
  o.submissions = args.submissions;
  o.out = args.out;
  o.jobs = args.jobs > 0 ? args.jobs : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  o.resume = args.resume;
  o.force = args.force;
  o.gradescope = args.gradescope;
  o.junit = args.junit;
  o.isolation = args.isolation;
  (void)parse_tracer(args.tracer);  // `bpf` where it cannot load: refused before any worker starts
  o.tracer = args.tracer;
  o.runs = args.runs;
  if (parse_seed(args.seed)) o.seed = args.seed;
  // Keys derived with a secret of this class run: a student cannot compute a classmate's and take it
  // first where the runs share the host's keys (tracked mode). An instructor's own secret is kept.
  if (!std::getenv("IPCGRADE_KEY_SECRET")) {
    unsigned char bytes[16];
    std::string secret;
    if (::getentropy(bytes, sizeof bytes) == 0) {
      for (unsigned char b : bytes) secret += fmt::format("{:02x}", b);
      ::setenv("IPCGRADE_KEY_SECRET", secret.c_str(), 1);
    }
  }
  if (!args.shard.empty()) {
    std::smatch m;
    static const std::regex re(R"(^(\d+)/(\d+)$)");
    if (!std::regex_match(args.shard, m, re) || std::stoi(m[2]) < 1 || std::stoi(m[1]) >= std::stoi(m[2])) {
      throw config::ConfigError("--shard '" + args.shard + "' must be I/N with 0 <= I < N, e.g. 0/4");
    }
    o.shard = std::stoi(m[1]);
    o.shards = std::stoi(m[2]);
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(o.submissions, ec)) {
    throw config::ConfigError(args.submissions + ": the submissions must be a folder of student folders");
  }
  batch::Outcome done;
  try {
    done = batch::grade_class(assignment, o);
  } catch (const batch::Interrupted&) {
    return 130;  // as a shell reports a command Ctrl-C ended
  }
  std::string line = fmt::format("{} submission(s)", done.students);
  if (o.shards > 1) line += fmt::format(" in shard {}/{}", o.shard, o.shards);
  line += fmt::format(": {} graded", done.graded);
  if (done.kept > 0) line += fmt::format(", {} kept from an earlier run", done.kept);
  if (done.regraded > 0) line += fmt::format(", {} fault(s) graded again", done.regraded);
  std::cout << line
            << fmt::format("; gradebook: {}/gradebook.csv, summary: {}/summary.md\n", args.out, args.out);
  // A student whose grading faulted is not graded: exit 3, which a scheduler retries (with --resume,
  // the retry grades only them).
  if (!done.faulted.empty()) {
    std::cerr << fmt::format(
        "ipcgrade: {} student(s) not graded, the grader failed: {}; run the same command with --resume to "
        "grade them again\n",
        done.faulted.size(), fmt::join(done.faulted, ", "));
    return kExitInternal;
  }
  return kExitPassed;
}

// `ipcgrade grade-worker`: one student of a batch (batch/worker.cpp sends what to grade on stdin). It
// parses `grade`'s arguments as the command line would.
int run_grade_worker() {
  const auto order = batch::read_worker_order(STDIN_FILENO);
  if (!order) return kExitUsage;
  if (!order->secret.empty()) ::setenv("IPCGRADE_KEY_SECRET", order->secret.c_str(), 1);
  spdlog::set_level(order->verbosity >= 2   ? spdlog::level::debug
                    : order->verbosity == 1 ? spdlog::level::info
                                            : spdlog::level::warn);
  CLI::App app;
  GradeArgs grade;
  add_grade_command(app, grade);
  std::vector<std::string> reversed(order->words.rbegin(),
                                    order->words.rend());  // CLI11 takes them last first
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitPassed : kExitUsage;
  }
  try {
    return run_grade(grade);
  } catch (const config::ConfigError& e) {
    std::cerr << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "ipcgrade: internal error: " << e.what() << "\n";
    return kExitInternal;
  }
}

}  // namespace ipcgrade::cli
