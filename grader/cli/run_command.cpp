// `ipcgrade run -- PROGRAM ARGS...`: valgrind for IPC. Runs any program unchanged (its own terminal,
// its own folder) under the tracer, prints the IPC calls that look wrong and a leak summary of what it
// left behind, and removes that.
#include <signal.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "checks/check.hpp"
#include "grader/build/build.hpp"
#include "grader/cli/commands.hpp"
#include "grader/config/assignment.hpp"
#include "grader/config/error.hpp"
#include "grader/report/pages.hpp"
#include "grader/report/render.hpp"
#include "grader/run/trace_file.hpp"
#include "grader/runner/scenario.hpp"
#include "grader/score/score.hpp"
#include "grader/util/atomic_file.hpp"
#include "grader/util/text.hpp"
#include "grader/util/units.hpp"

namespace fs = std::filesystem;

namespace ipcgrade::cli {

void add_run_command(CLI::App& app, RunArgs& args) {
  CLI::App* cmd =
      app.add_subcommand("run", "run any program under the IPC tracer and report misuse and leaks");
  cmd->add_option("--key", args.keys,
                  "a key the program is meant to use (repeatable): other keys are reported");
  cmd->add_option("--timeout", args.timeout,
                  "stop the program after this long (e.g. 10s); default: no limit");
  cmd->add_option("--trace", args.trace, "write the trace of IPC and pipe calls to FILE (JSON)");
  cmd->add_option("--html", args.html,
                  "write what was seen as one self-contained HTML page, with a sequence chart, to FILE");
  cmd->add_option("--markdown", args.markdown, "write it as Markdown with a Mermaid diagram to FILE");
  add_isolation_option(cmd, args.isolation);
  add_tracer_option(cmd, args.tracer);
  cmd->add_option("PROGRAM", args.command, "the program and its arguments (after --)")->required();
  cmd->positionals_at_end();
}

namespace {

const std::string kPrefix = "==ipcgrade== ";

// The program named on the command line, as exec will find it.
fs::path resolve(const std::string& program) {
  if (program.find('/') != std::string::npos) return fs::weakly_canonical(fs::absolute(program));
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    const size_t end = std::min(dirs.find(':', start), dirs.size());
    const fs::path candidate = fs::path(dirs.substr(start, end - start)) / program;
    if (::access(candidate.c_str(), X_OK) == 0) return fs::weakly_canonical(candidate);
    start = end + 1;
  }
  return program;
}

// The run as an assignment: one scenario with the program, and the checks that need no knowledge of
// the homework (no payload size, no expected output). The command line is used as given: no
// placeholder in it is checked or expanded.
config::Assignment run_assignment(const RunArgs& args, config::Millis wall, const fs::path& cwd) {
  config::Assignment a;
  a.id = "run";
  a.file = cwd / "(run)";
  a.dir = cwd;
  a.keys.count = static_cast<int>(std::max<size_t>(args.keys.size(), 1));
  a.uses_keys = !args.keys.empty();
  config::ScenarioSpec scenario;
  scenario.name = "run";
  scenario.limits.wall = wall;
  scenario.limits.cpu = wall;
  scenario.limits.memory = 1024ULL << 30;
  config::ProcessSpec process;
  process.name = fs::path(args.command[0]).filename().string();
  process.argv = args.command;
  scenario.processes.push_back(std::move(process));
  a.scenarios.push_back(std::move(scenario));
  auto check = [&](const char* name, const char* type, const config::ParamReader::Given& params = {}) {
    config::CheckSpec c;
    c.name = name;
    c.type = type;
    c.points = 1;
    c.params = config::ParamReader::given("(run)", params);
    // A program is judged on what it uses: one that makes no semaphore has nothing for sem-usage to say.
    const checks::CheckType* t = checks::find_check_type(type);
    c.optional = t && !t->needs.empty();
    a.checks.push_back(std::move(c));
  };
  if (!args.keys.empty()) check("keys", "assigned-key");
  // Any mode without execute bits: those mean nothing for IPC objects and mark a copied 0777.
  std::vector<std::string> modes;
  for (int m = 0; m <= 0777; ++m) {
    if ((m & 0111) == 0) modes.push_back(std::to_string(m));
  }
  check("modes", "permissions", {{}, {{"allow", modes}}});
  check("sizes", "message-size");  // no payload: judged from the program's own message structs
  check("shmdt", "shm-usage", {{{"remove", "false"}}, {}});  // the leak summary says it
  check("semaphores", "sem-usage", {{{"remove", "false"}}, {}});
  // Removal is the leak summary's to say; what only the calls show is judged here.
  check("fifos", "fifo-usage", {{{"remove", "false"}}, {}});
  check("queues", "mq-usage", {{{"unlink", "false"}}, {}});
  check("pipes", "pipe-closure");
  check("errors", "ipc-errors");  // a failed call, a key ftok could not make
  check("leaks", "no-leftovers");
  return a;
}

}  // namespace

int run_run(const RunArgs& args) {
  config::Millis wall = std::chrono::hours(24);
  if (!args.timeout.empty()) {
    const auto timeout = util::parse_duration(args.timeout);
    if (!timeout) {
      throw config::ConfigError("--timeout '" + args.timeout +
                                "' is not a duration; write it like 500ms, 10s, 2m");
    }
    wall = *timeout;
  }
  std::vector<key_t> keys;
  for (const auto& k : args.keys) {
    try {
      keys.push_back(static_cast<key_t>(std::stol(k, nullptr, 0)));
    } catch (const std::exception&) {
      throw config::ConfigError("--key '" + k + "' is not a key; write it like 0x5000 or 20480");
    }
  }
  const fs::path cwd = fs::current_path();
  const config::Assignment a = run_assignment(args, wall, cwd);

  // The program's directory holds "its own" programs, unless it is a system tool (sh -c "...").
  const fs::path program = resolve(args.command[0]);
  std::string judged = program.parent_path().string();
  for (const char* system : {"/usr/", "/bin", "/sbin"}) {
    if (judged.rfind(system, 0) == 0) judged = cwd.string();
  }
  runner::RunContext context;
  context.placeholders = {keys, 0, "", cwd.string(), cwd.string()};
  context.work_dir = cwd;
  context.trace_pipe_io = true;
  context.inherit_stdio = true;
  context.expand = false;
  context.judged_dir = judged;
  context.isolation = runner::isolation_from_string(args.isolation);
  context.tracer = parse_tracer(args.tracer);
  context.drop_privileges = false;   // the program is the caller's own
  context.private_work_dir = false;  // ... and so is the folder it works in
  // Ctrl-C is for the program: the grader stays to report what it left behind.
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGQUIT, SIG_IGN);
  const run::ScenarioResult result = runner::run_scenario(a.scenarios[0], context);
  ::signal(SIGINT, SIG_DFL);
  ::signal(SIGQUIT, SIG_DFL);
  if (!args.trace.empty())
    util::write_file_atomically(
        args.trace,
        run::trace_file({result}).dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");

  build::BuildResult none;
  const auto checks = score::score_checks(a, {result}, none, keys);
  if (!args.html.empty() || !args.markdown.empty()) {
    // The same pages as a grading's: the program's run as the one scenario, run's checks as its checks.
    report::Report page;
    page.assignment = "ipcgrade run";
    for (const auto& word : args.command) page.title += (page.title.empty() ? "" : " ") + word;
    page.student = fs::path(args.command[0]).filename().string();
    page.keys = keys;
    page.uses_keys = !args.keys.empty();
    page.mode = result.mode;
    page.checks = checks;
    for (const auto& c : checks) {
      page.score += c.score;
      page.max_score += c.max_score;
    }
    page.scenarios = {result};
    if (!args.html.empty()) util::write_file_atomically(args.html, report::html_report(page));
    if (!args.markdown.empty()) util::write_file_atomically(args.markdown, report::markdown_report(page));
  }
  // The report names the program's own text (POSIX object names, file names from its debug information,
  // call arguments): written out through the one escaping, so it cannot repaint the terminal.
  std::ostringstream out;
  size_t misuse = 0;
  for (const auto& c : checks) {
    if (c.type == "no-leftovers" || c.status != checks::Status::Failed) continue;
    for (const auto& e : c.evidence) {
      if (misuse++ == 0) out << kPrefix << "IPC calls that look wrong:\n";
      out << kPrefix << "  " << e.call << (e.at.empty() ? "" : " at " + e.at) << " in " << e.process
          << " (pid " << e.pid << ")\n";
      out << kPrefix << "    " << e.detail << "\n";
    }
  }
  if (misuse > 0) out << kPrefix << "\n";
  for (const auto& c : checks) {
    for (const auto& note : c.notes) out << kPrefix << "note: " << note << "\n";
  }
  for (const auto& f : result.refused)
    out << kPrefix << "refused: " << util::escape_controls(f.describe()) << "\n";
  for (const auto& s : result.survivors) out << kPrefix << s.describe() << "\n";
  // Crashes, each with its signal and line: "client (pid 1002) crashed: SIGSEGV at client.c:41 (address
  // 0x0)".
  for (const auto& e : result.trace.events) {
    if (const auto crash = run::crash_of(e))
      out << kPrefix << util::process_label(e.process, e.pid) << " crashed: " << crash->describe() << "\n";
  }
  out << kPrefix << "IPC LEAK SUMMARY:\n";
  if (result.leftovers.empty()) {
    out << kPrefix << "  no IPC objects were left behind\n";
  }
  size_t reclaimed = 0;
  for (const auto& l : result.leftovers) {
    std::string what = l.name.empty()
                           ? fmt::format("{} key {} (id {}, mode {:04o}", trace::ipc_kind_noun(l.kind),
                                         report::format_key(l.key), l.id, l.mode)
                           : fmt::format("{} {} (mode {:04o}", trace::ipc_kind_noun(l.kind), l.name, l.mode);
    // A FIFO, a semaphore or a folder holds no bytes worth a number.
    if (!l.name.empty() && (l.kind == trace::IpcKind::PosixShm || l.kind == trace::IpcKind::PosixMq ||
                            l.kind == trace::IpcKind::File))
      what += fmt::format(", {} bytes", l.bytes);
    if (l.kind == trace::IpcKind::MsgQueue) what += fmt::format(", {} message(s) queued", l.messages);
    if (l.kind == trace::IpcKind::ShmSegment) what += fmt::format(", {} bytes", l.bytes);
    out << kPrefix << "  " << what << ")\n";
    if (!l.call.empty())
      out << kPrefix << "    created by " << l.creator << ": " << l.call
          << (l.at.empty() ? "" : " at " + l.at) << "\n";
    for (const auto& who : l.opened_by) out << kPrefix << "    also opened by " << who << "\n";
    if (!l.reclaimed && !l.reclaim_error.empty())
      out << kPrefix << "    could not be removed: " << util::escape_controls(l.reclaim_error) << "\n";
    reclaimed += l.reclaimed ? 1 : 0;
  }
  if (!result.leftovers.empty()) {
    out << kPrefix
        << fmt::format("  {} object(s) left behind; {} removed\n", result.leftovers.size(), reclaimed);
  }
  if (result.outcome != run::Outcome::Completed) {
    out << kPrefix << "the program did not finish: " << run::to_string(result.outcome)
        << (result.outcome_detail.empty() ? "" : " (" + result.outcome_detail + ")") << "\n";
  }
  std::cerr << util::escape_controls(out.str());
  if (!result.leftovers.empty()) return kExitFailed;
  if (result.outcome == run::Outcome::CrashedGrader) return kExitInternal;
  if (result.outcome != run::Outcome::Completed) return kExitFailed;  // stopped by the grader
  const run::ProcessResult* main_process = result.processes.empty() ? nullptr : &result.processes[0];
  if (main_process && !main_process->started) {
    std::cerr << kPrefix << util::escape_controls(main_process->start_error) << "\n";
    return 127;
  }
  if (main_process && main_process->signal) return 128 + *main_process->signal;
  if (main_process && main_process->exit_code && *main_process->exit_code != 0)
    return *main_process->exit_code;
  if (result.outcome != run::Outcome::Completed) return kExitFailed;
  return misuse > 0 ? kExitFailed : kExitPassed;
}

}  // namespace ipcgrade::cli
