// ipcgrade: the command line. Each command parses its options, calls into the grader, and maps the
// result to the exit codes of the specification (0 passed, 1 failed, 2 usage/assignment, 3 internal).
#include <sys/prctl.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <string_view>

#include "grader/audit/journal.hpp"
#include "grader/build/scratch.hpp"
#include "grader/cli/commands.hpp"
#include "grader/config/error.hpp"
#include "grader/runner/scenario.hpp"

int main(int argc, char** argv) {
  using namespace ipcgrade;
  // Not dumpable: in tracked mode the run shares the host's /proc, and without Landlock a program of the
  // grader's own uid could otherwise read the grader's memory (the hidden expected outputs) and its
  // environment (a CI token) there. Each program the grader starts is made dumpable again before it is
  // traced (sandbox/spawn.cpp), and exec makes it its own.
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  if (argc == 2 && std::string_view(argv[1]) == "grade-worker") {
    // A batch's worker (batch/worker.hpp): its orders come on stdin, read only now that it is not
    // dumpable.
    spdlog::set_default_logger(spdlog::stderr_color_mt("ipcgrade"));
    spdlog::set_pattern("ipcgrade: %^%l%$: %v");
    runner::become_subreaper();
    return cli::run_grade_worker();
  }
  CLI::App app{
      "ipcgrade: autograder and leak checker for IPC homework: System V queues, shared memory and "
      "semaphores, "
      "pipes and FIFOs, POSIX queues, shared memory and named semaphores"};
  app.set_version_flag("--version", std::string(IPCGRADE_VERSION));
  app.require_subcommand(1);
  int verbose = 0;
  app.add_flag("-v,--verbose", verbose, "log what the grader does to stderr (-vv for more)");

  cli::GradeArgs grade;
  cli::add_grade_command(app, grade);
  cli::RunArgs run;
  cli::add_run_command(app, run);
  cli::CheckArgs check;
  cli::add_check_command(app, check);
  cli::BatchArgs batch;
  cli::add_batch_command(app, batch);
  cli::MergeArgs merge;
  cli::add_merge_command(app, merge);
  cli::KitArgs kit;
  cli::add_kit_command(app, kit);
  cli::AuditArgs audit;
  cli::add_audit_command(app, audit);
  std::string validate_path;
  CLI::App* validate = app.add_subcommand("validate", "check an assignment file and print what it holds");
  validate->add_option("ASSIGNMENT", validate_path, "assignment.yaml or the folder that holds it")
      ->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : cli::kExitUsage;
  }

  auto logger = spdlog::stderr_color_mt("ipcgrade");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("ipcgrade: %^%l%$: %v");
  spdlog::set_level(verbose >= 2   ? spdlog::level::debug
                    : verbose == 1 ? spdlog::level::info
                                   : spdlog::level::warn);

  // Orphans of a run come back to the grader, not to PID 1: in a container whose PID 1 never reaps
  // (`sleep infinity`), every process a run left would otherwise stay a zombie for good.
  runner::become_subreaper();

  try {
    if (app.got_subcommand("validate")) return cli::run_validate(validate_path);
    if (app.got_subcommand("kit")) return cli::run_kit(kit);
    if (app.got_subcommand("merge")) return cli::run_merge(merge);
    if (app.got_subcommand("audit")) {
      // The scratch folders of killed graders go with their objects.
      if (audit.reclaim) build::reclaim_orphan_scratches();
      return cli::run_audit(audit);
    }
    // Objects of tracked runs whose grader was killed are reclaimed by the next command that runs
    // student programs.
    for (const auto& object : audit::reclaim_orphans()) {
      spdlog::warn("reclaimed {} id {} (key {}) left by a killed ipcgrade run{}",
                   trace::ipc_kind_name(object.kind), object.id, trace::key_hex(object.key),
                   object.reclaimed ? "" : ": removing it failed: " + object.reclaim_error);
    }
    for (const auto& folder : build::reclaim_orphan_scratches())
      spdlog::warn("removed {}, the scratch folder of a killed ipcgrade run", folder.string());
    if (app.got_subcommand("grade")) return cli::run_grade(grade);
    if (app.got_subcommand("run")) return cli::run_run(run);
    if (app.got_subcommand("check")) return cli::run_check(check);
    if (app.got_subcommand("batch")) return cli::run_batch(batch);
  } catch (const config::ConfigError& e) {
    std::cerr << e.what() << "\n";
    return cli::kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "ipcgrade: internal error: " << e.what()
              << "\nThis is a fault of the grader, not of the submission; please report it with the command "
                 "line.\n";
    return cli::kExitInternal;
  }
  return cli::kExitUsage;
}
