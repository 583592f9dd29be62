// `ipcgrade check`: a student's self-check. Runs only the visible scenarios (hidden ones are neither
// run nor named), prints the friendly summary, and works without root (a user namespace).
#include <unistd.h>

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>

#include <iostream>

#include "checks/make_checks.hpp"
#include "grader/batch/progress.hpp"
#include "grader/cli/commands.hpp"
#include "grader/cli/guarded.hpp"
#include "grader/config/assignment.hpp"
#include "grader/config/error.hpp"
#include "grader/report/exports.hpp"
#include "grader/report/pages.hpp"
#include "grader/report/render.hpp"
#include "grader/runner/grade.hpp"
#include "grader/score/score.hpp"
#include "grader/util/atomic_file.hpp"

namespace fs = std::filesystem;

namespace ipcgrade::cli {

void add_check_command(CLI::App& app, CheckArgs& args) {
  CLI::App* cmd = app.add_subcommand(
      "check",
      "check your homework against the visible scenarios (default: the assignment named in .ipcgrade)");
  cmd->add_option("ASSIGNMENT", args.assignment,
                  "assignment.yaml or its folder; default: ./assignment.yaml, or the path in ./.ipcgrade");
  cmd->add_option("SUBMISSION", args.submission, "your folder (default: .)");
  cmd->add_option("--junit", args.junit, "also write JUnit XML (one testcase per visible check) to FILE");
  cmd->add_option("--html", args.html, "also write the report as one self-contained HTML page to FILE");
  cmd->add_option("--markdown", args.markdown,
                  "also write the summary as Markdown with Mermaid diagrams to FILE (appended to "
                  "$GITHUB_STEP_SUMMARY as well, when that is set)");
  add_isolation_option(cmd, args.isolation);
  add_tracer_option(cmd, args.tracer);
  add_schedule_options(cmd, args.runs, args.seed);
}

namespace {

// Where the assignment and the submission are. ASSIGNMENT when given; else the path a .ipcgrade file
// names, in the folder or the nearest parent that has one (a student in their repository's src/ or in
// the kit's assignment/ means the repository: its root is the submission, unless one was given); else
// assignment.yaml in the folder.
struct Located {
  fs::path assignment, submission;
  std::string note;  // said on stderr when the folder checked is not the one the student is in
};

std::optional<fs::path> named_by(const fs::path& pointer) {
  std::error_code ec;
  if (!fs::is_regular_file(pointer, ec)) return std::nullopt;
  std::string text = util::read_file(pointer);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  const fs::path named(text);
  return named.is_absolute() ? named : pointer.parent_path() / named;
}

Located locate(const CheckArgs& args, bool submission_given) {
  const fs::path folder = args.submission;
  if (!args.assignment.empty()) return {args.assignment, folder, ""};
  std::error_code ec;
  const fs::path start = fs::weakly_canonical(fs::absolute(folder), ec);
  for (fs::path dir = start;; dir = dir.parent_path()) {
    if (const auto named = named_by(dir / ".ipcgrade")) {
      if (dir == start || submission_given) return {*named, folder, ""};
      return {*named, dir,
              fmt::format("ipcgrade: checking {} (the folder of .ipcgrade), not {}", dir.string(),
                          start.string())};
    }
    // A folder of its own with assignment.yaml and no .ipcgrade above: an assignment beside the work.
    if (dir == start && fs::exists(dir / "assignment.yaml", ec)) {
      bool above = false;
      for (fs::path up = dir.parent_path(); !above && up != up.root_path(); up = up.parent_path())
        above = named_by(up / ".ipcgrade").has_value();
      if (!above) return {dir / "assignment.yaml", folder, ""};
    }
    if (dir == dir.root_path() || dir.parent_path() == dir) break;
  }
  throw config::ConfigError(folder.string() +
                            ": no assignment given, and neither this folder nor any folder above it holds a "
                            ".ipcgrade file (the kit's repository has one at its top) or an assignment.yaml");
}

}  // namespace

namespace {

// What `check` shows and writes for a report: the summary, what the hidden checks hold, the files asked
// for, GitHub's step summary.
int show(const CheckArgs& args, const config::Assignment& assignment, const report::Report& r) {
  const bool color = ::isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
  std::cout << report::summary(r, color,
                               ::isatty(STDOUT_FILENO) ? batch::terminal_width(STDOUT_FILENO) - 1 : 0);
  // The score is out of the visible checks only: say what the hidden ones hold, so that 80/80 is not
  // read as full marks.
  double total = assignment.hidden_points;
  for (const auto& c : assignment.checks) total += c.points;
  if (total > r.max_score) {
    std::cout << fmt::format("That is {}/{} on the visible checks; {} more points are in hidden checks.\n",
                             report::points(r.score), report::points(r.max_score),
                             report::points(total - r.max_score));
  }
  if (!args.junit.empty()) util::write_file_atomically(args.junit, report::junit_xml(r));
  if (!args.html.empty()) util::write_file_atomically(args.html, report::html_report(r));
  if (!args.markdown.empty()) util::write_file_atomically(args.markdown, report::markdown_report(r));
  // A GitHub Actions job shows its step summary on its page: the picture goes there too.
  if (const char* summary = std::getenv("GITHUB_STEP_SUMMARY"); summary && *summary) {
    std::ofstream(summary, std::ios::app) << report::markdown_report(r) << "\n";
  }
  if (r.all_passed()) {
    std::cout
        << "\nEvery visible check passes. The instructor's grading also runs scenarios you cannot see.\n";
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

int run_check(const CheckArgs& args_given) {
  CheckArgs args = args_given;
  const Located where = locate(args, args.submission != ".");
  if (!where.note.empty()) std::cerr << where.note << "\n";
  args.submission = where.submission.string();
  const config::Assignment assignment = checks::load_assignment(where.assignment);
  // The assignment's own folder graded as the work (a student in the kit's assignment/) would fail
  // every check without a word of why.
  std::error_code same;
  if (fs::equivalent(assignment.dir, args.submission, same))
    throw config::ConfigError(args.submission +
                              ": this is the assignment's folder, not your work: run `ipcgrade "
                              "check` in your solution's folder (the top of your repository)");
  // The file a student reads must not hold the answers: say so to the instructor who handed it out.
  for (const auto& s : assignment.scenarios) {
    if (s.visibility != config::Visibility::Hidden) continue;
    std::cerr
        << "ipcgrade: warning: " << assignment.file.string()
        << " holds hidden scenarios, and whoever runs check can read them: hand students `ipcgrade kit` "
           "output instead\n";
    break;
  }
  std::error_code ec;
  if (!fs::is_directory(args.submission, ec)) {
    throw config::ConfigError(args.submission + ": the submission must be a folder");
  }
  runner::GradeOptions options{
      "", true, runner::isolation_from_string(args.isolation), std::nullopt, parse_seed(args.seed), {}};
  if (args.runs > 0) options.runs = args.runs;
  options.tracer = parse_tracer(args.tracer);
  // The check runs in a child: if it dies, the student still gets the JUnit file and the reason.
  config::Assignment visible = assignment;
  std::erase_if(visible.checks, [&](const config::CheckSpec& c) { return !assignment.shown_in_check(c); });
  return run_guarded(
      [&] { return show(args, assignment, runner::grade_submission(assignment, args.submission, options)); },
      runner::grading_limit(assignment, options),
      [&](const std::string& why) {
        show(args, assignment,
             score::fault_report(visible, runner::student_of(args.submission, options), why));
      });
}

}  // namespace ipcgrade::cli
