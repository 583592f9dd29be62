// `ipcgrade kit ASSIGNMENT OUT_DIR`: what an instructor hands students for self-checking. The assignment
// file reduced to its visible scenarios (checks that cover only hidden ones go, their points kept as one
// number), the handout, the visible input files and `files:`, a `.ipcgrade` naming the assignment, and
// CI files for a student repository. Nothing of a hidden scenario — its name, input or expected output —
// and nothing of `solution/` or `variants/` is written: the student controls whatever reads the kit.
#include <yaml-cpp/yaml.h>

#include <fmt/format.h>
#include <filesystem>
#include <iostream>
#include <set>

#include "checks/make_checks.hpp"
#include "grader/cli/commands.hpp"
#include "grader/config/assignment.hpp"
#include "grader/config/error.hpp"
#include "grader/score/parts.hpp"
#include "grader/util/atomic_file.hpp"

namespace fs = std::filesystem;

namespace ipcgrade::cli {

void add_kit_command(CLI::App& app, KitArgs& args) {
  CLI::App* cmd = app.add_subcommand(
      "kit",
      "write what students get for self-checking: the assignment without its hidden scenarios, and CI files");
  cmd->add_option("ASSIGNMENT", args.assignment, "assignment.yaml or the folder that holds it")->required();
  cmd->add_option("OUT_DIR", args.out, "a new (or empty) folder: the students' template repository")
      ->required();
  cmd->add_option(
      "--image", args.image,
      "the grader image the students' CI pulls (default: ipcgrade:latest; give the one you publish)");
}

namespace {

constexpr const char* kAssignmentDir = "assignment";  // where the kit keeps the assignment, in OUT_DIR

// The reduced assignment file: the visible scenarios, the checks that `check` would judge with the full
// file (their scenario lists cut to the visible ones), and the dropped checks' points as hidden_points;
// the input files the visible scenarios read, and those only hidden ones (and the roster) name.
struct Reduced {
  YAML::Node root;
  std::set<fs::path> inputs, hidden_inputs;  // relative to the assignment folder, as written
  double hidden_points = 0;
  size_t hidden_scenarios = 0, hidden_checks = 0;
  size_t split_checks = 0;  // kept with their visible part's points, the rest among the hidden points
  bool roster = false;
};

Reduced reduce(const config::Assignment& a) {
  Reduced out;
  out.root = YAML::LoadFile(a.file.string());
  YAML::Node& root = out.root;
  std::set<std::string> visible;
  YAML::Node scenarios(YAML::NodeType::Sequence);
  for (const auto& s : a.scenarios) {
    if (s.visibility == config::Visibility::Hidden) {
      ++out.hidden_scenarios;
      continue;
    }
    visible.insert(s.name);
  }
  for (const auto& node : root["scenarios"]) {
    const std::string name = node["name"].as<std::string>();
    if (!visible.count(name)) {
      // A hidden scenario's inputs must not reach the kit by another way (a `files:` folder).
      for (const auto& p : node["processes"]) {
        if (p["stdin_file"]) out.hidden_inputs.insert(fs::path(p["stdin_file"].Scalar()).lexically_normal());
      }
      continue;
    }
    // The path as the instructor wrote it (relative to the assignment), not as it resolves.
    for (const auto& p : node["processes"]) {
      if (p["stdin_file"]) out.inputs.insert(fs::path(p["stdin_file"].Scalar()).lexically_normal());
    }
    YAML::Node kept = YAML::Clone(node);
    kept.remove("visibility");  // every scenario of the kit is visible
    scenarios.push_back(kept);
  }
  root["scenarios"] = scenarios;

  YAML::Node checks(YAML::NodeType::Sequence);
  // A check over visible and hidden scenarios is graded in two parts (score/parts.hpp): the kit's check
  // is its visible part, with that part's points.
  const score::Split split = score::split_checks(a);
  size_t i = 0;
  for (const auto& node : root["checks"]) {
    const size_t index = i;
    const config::CheckSpec& spec = a.checks.at(i++);
    const bool shown = a.shown_in_check(spec);
    if (!shown) {
      out.hidden_points += spec.points;
      ++out.hidden_checks;
      continue;
    }
    YAML::Node kept = YAML::Clone(node);
    if (split.parts[index].size() == 2) {
      const double shown_points = split.judged.checks[split.parts[index][0]].points;
      kept["points"] = shown_points;
      out.hidden_points += spec.points - shown_points;
      ++out.split_checks;
    }
    if (!spec.scenarios.empty()) {
      YAML::Node names(YAML::NodeType::Sequence);
      for (const auto& name : spec.scenarios) {
        if (visible.count(name)) names.push_back(name);
      }
      kept["scenarios"] = names;
    }
    checks.push_back(kept);
  }
  if (root["checks"]) root["checks"] = checks;
  out.hidden_points += a.hidden_points;
  if (out.hidden_points > 0) root["hidden_points"] = out.hidden_points;
  // A file that a visible scenario reads too is visible material.
  for (const auto& rel : out.inputs) out.hidden_inputs.erase(rel);
  // A roster lists every student's keys: not for students. Keys then come from the assignment id and
  // the student id, as for any assignment without one.
  if (root["keys"] && root["keys"]["roster"]) {
    out.hidden_inputs.insert(fs::path(root["keys"]["roster"].Scalar()).lexically_normal());
    root["keys"].remove("roster");
    out.roster = true;
  }
  return out;
}

std::string github_workflow(const std::string& image) {
  return fmt::format(R"(# Checks your homework on every push with the visible scenarios of the assignment
# (the instructor's grading also runs hidden ones). Written by `ipcgrade kit`.
name: ipcgrade
on: [push, pull_request]
jobs:
  check:
    runs-on: ubuntu-latest
    container: {}
    steps:
      - uses: actions/checkout@v4
      # The assignment is named in .ipcgrade. The job's page shows the checks and a picture of each
      # failed scenario (check writes them to the step summary); the HTML report is an artifact.
      - run: ipcgrade check --junit ipcgrade-junit.xml --html ipcgrade-report.html
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: ipcgrade-report
          path: |
            ipcgrade-junit.xml
            ipcgrade-report.html
)",
                     image);
}

std::string gitlab_ci(const std::string& image) {
  return fmt::format(R"(# Checks your homework on every push with the visible scenarios of the assignment
# (the instructor's grading also runs hidden ones); merge requests show each check as a test.
# Written by `ipcgrade kit`.
ipcgrade:
  image:
    name: {}
    entrypoint: [""]
  script:
    - ipcgrade check --junit ipcgrade-junit.xml --html ipcgrade-report.html   # the assignment is named in .ipcgrade
  artifacts:
    when: always
    paths: [ipcgrade-report.html]   # the report with a picture of each scenario: open it in a browser
    reports:
      junit: ipcgrade-junit.xml
)",
                     image);
}

// What the kit may carry from the assignment folder: regular files (never a symbolic link: it could point
// at the solution, or make the copy write outside the kit), inside the folder, and none of the
// instructor's own — the full assignment file, solution/, variants/, a hidden scenario's input, the
// roster.
class Carrier {
 public:
  Carrier(const config::Assignment& a, const Reduced& reduced) : a_(a), reduced_(reduced) {}

  // Refuses an entry the instructor named (a `files:` entry, a visible `stdin_file`) that the kit must not
  // carry, saying why; a folder is checked whole.
  void check_named(const fs::path& rel, const char* what) const {
    const std::string why = instructors_own(rel);
    if (!why.empty())
      throw config::ConfigError(fmt::format("{}: {} '{}' {}: the kit would hand it to students",
                                            a_.file.string(), what, rel.string(), why));
    std::error_code ec;
    const auto st = fs::symlink_status(a_.dir / rel, ec);
    if (fs::is_symlink(st))
      throw config::ConfigError(
          fmt::format("{}: {} '{}' is a symbolic link: the kit carries regular files only", a_.file.string(),
                      what, rel.string()));
    if (!fs::is_directory(st)) return;
    for (auto it = fs::recursive_directory_iterator(a_.dir / rel, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) break;
      const fs::path inner = it->path().lexically_relative(a_.dir);
      const std::string inner_why = instructors_own(inner);
      if (!inner_why.empty() && !reduced_.hidden_inputs.count(inner))
        throw config::ConfigError(
            fmt::format("{}: {} '{}' holds '{}', which {}: the kit would hand it to students",
                        a_.file.string(), what, rel.string(), inner.string(), inner_why));
    }
  }

  // Copies a checked entry: the regular files under it, symbolic links and a hidden scenario's inputs
  // left out (and counted).
  void copy(const fs::path& rel, const fs::path& to_dir) {
    std::error_code ec;
    const fs::path from = a_.dir / rel;
    if (!fs::is_directory(fs::symlink_status(from, ec))) return copy_file(rel, to_dir);
    for (auto it = fs::recursive_directory_iterator(from, ec); it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (ec) break;
      if (it->is_symlink(ec)) {
        ++skipped;
        continue;
      }
      if (it->is_regular_file(ec)) copy_file(it->path().lexically_relative(a_.dir), to_dir);
    }
  }

  size_t skipped = 0;  // symbolic links and hidden inputs left out of `files:` folders

 private:
  void copy_file(const fs::path& rel, const fs::path& to_dir) {
    if (reduced_.hidden_inputs.count(rel)) {
      ++skipped;
      return;
    }
    const fs::path to = to_dir / rel;
    fs::create_directories(to.parent_path());
    util::write_file_atomically(to, util::read_file(a_.dir / rel));
  }

  // Why a path relative to the assignment folder is the instructor's own ("" when it is not).
  std::string instructors_own(const fs::path& rel) const {
    const fs::path norm = rel.lexically_normal();
    if (norm == "." || norm.empty())
      return "is the whole assignment folder (the full assignment file, solution/, variants/)";
    if (norm.is_absolute() || *norm.begin() == "..") return "is not a file inside the assignment folder";
    const std::string first = norm.begin()->string();
    if (first == "solution" || first == "variants") return "is under " + first + "/";
    std::error_code ec;
    if (fs::equivalent(a_.dir / norm, a_.file, ec)) return "is the full assignment file";
    if (reduced_.hidden_inputs.count(norm)) return "is read by a hidden scenario (or is the roster)";
    return "";
  }

  const config::Assignment& a_;
  const Reduced& reduced_;
};

}  // namespace

int run_kit(const KitArgs& args) {
  const config::Assignment a = checks::load_assignment(args.assignment);
  const fs::path out = args.out;
  std::error_code ec;
  if (fs::is_symlink(fs::symlink_status(out, ec)) && !fs::exists(out, ec))
    throw config::ConfigError(out.string() + ": a symbolic link to nothing; give the kit a real folder");
  if (fs::exists(out, ec) && !(fs::is_directory(out, ec) && fs::is_empty(out, ec)))
    throw config::ConfigError(out.string() +
                              ": the kit goes into a new or empty folder, and this one is not");
  const Reduced reduced = reduce(a);
  if (reduced.root["scenarios"].size() == 0)
    throw config::ConfigError(a.file.string() +
                              ": every scenario is hidden, so students would have nothing to "
                              "check; make at least one visible");
  Carrier carrier(a, reduced);
  for (const auto& rel : reduced.inputs) carrier.check_named(rel, "a visible scenario's stdin_file");
  for (const auto& rel : a.files) carrier.check_named(rel, "'files' entry");

  bool readme_link = false;
  // Written next to OUT_DIR and renamed into place at the end: a kit that fails half-way leaves nothing.
  const fs::path target = fs::exists(out, ec) ? fs::canonical(out) : fs::absolute(out).lexically_normal();
  const fs::path staging = target.parent_path() / ("." + target.filename().string() + ".kit-partial");
  fs::remove_all(staging, ec);
  try {
    const fs::path dir = staging / kAssignmentDir;
    fs::create_directories(dir);
    for (const auto& rel : reduced.inputs) carrier.copy(rel, dir);
    for (const auto& rel : a.files) carrier.copy(rel, dir);
    // Last, so that nothing copied can stand in for it.
    YAML::Emitter yaml;
    yaml << reduced.root;
    util::write_file_atomically(
        dir / "assignment.yaml",
        fmt::format(
            "# The visible part of assignment '{}', written by `ipcgrade kit` for self-checking.\n{}\n", a.id,
            yaml.c_str()));
    const fs::path readme = a.dir / "README.md";
    if (fs::is_regular_file(fs::symlink_status(readme, ec))) {
      util::write_file_atomically(staging / "README.md", util::read_file(readme));
    } else if (fs::is_symlink(fs::symlink_status(readme, ec))) {
      readme_link = true;  // a link could point at the solution: left out
    }
    util::write_file_atomically(staging / ".ipcgrade", std::string(kAssignmentDir) + "/assignment.yaml\n");
    fs::create_directories(staging / ".github/workflows");
    util::write_file_atomically(staging / ".github/workflows/ipcgrade.yml", github_workflow(args.image));
    util::write_file_atomically(staging / ".gitlab-ci.yml", gitlab_ci(args.image));
    fs::rename(staging, target);  // replaces an empty folder, as rename(2) does
  } catch (...) {
    fs::remove_all(staging, ec);
    throw;
  }

  // What the kit holds, and what it kept back.
  std::cout << fmt::format("{}: the kit of '{}' for self-checking\n", out.string(), a.id);
  std::cout << fmt::format(
      "  {} visible scenario(s); left out: {} hidden scenario(s), {} check(s) that cover only "
      "them\n",
      reduced.root["scenarios"].size(), reduced.hidden_scenarios, reduced.hidden_checks);
  if (reduced.split_checks > 0)
    std::cout << fmt::format(
        "  {} check(s) over visible and hidden scenarios keep the points of their visible part: what a "
        "student "
        "sees of them before grades are published\n",
        reduced.split_checks);
  if (reduced.hidden_points > 0)
    std::cout << fmt::format(
        "  {} point(s) are judged on hidden scenarios only: `check` shows them as one number\n",
        reduced.hidden_points);
  if (reduced.roster)
    std::cout
        << "  the roster of keys is left out (it lists every student's keys): `check` derives keys from the "
           "student's folder name\n";
  std::cout << fmt::format(
      "  CI files use the image '{}'{}\n", args.image,
      args.image == "ipcgrade:latest" ? ": pass --image with the one your students' CI can pull" : "");
  if (readme_link) std::cout << "  README.md is a symbolic link: left out (copy the handout in as a file)\n";
  if (carrier.skipped > 0)
    std::cout << fmt::format("  left out of 'files:' folders: {} symbolic link(s) and hidden input(s)\n",
                             carrier.skipped);
  std::cout << "  publish the folder as the students' template repository; they run `ipcgrade check` in it\n";
  return kExitPassed;
}

}  // namespace ipcgrade::cli
