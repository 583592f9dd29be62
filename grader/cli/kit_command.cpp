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

#include "grader/cli/commands.hpp"
#include "grader/config/assignment.hpp"
#include "grader/config/error.hpp"
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

// The reduced assignment file: the visible scenarios, the checks that cover one of them (restricted to
// them: what `check` would judge with the full file), and the dropped checks' points as hidden_points.
// Returns the relative paths of the input files the visible scenarios read.
struct Reduced {
  YAML::Node root;
  std::set<std::string> inputs;
  double hidden_points = 0;
  size_t hidden_scenarios = 0, hidden_checks = 0;
  bool roster = false;
};

Reduced reduce(const config::Assignment& a) {
  Reduced out;
  out.root = YAML::Clone(YAML::LoadFile(a.file.string()));
  YAML::Node& root = out.root;
  std::set<std::string> visible;
  YAML::Node scenarios(YAML::NodeType::Sequence);
  for (const auto& s : a.scenarios) {
    if (s.visibility == config::Visibility::Hidden) {
      ++out.hidden_scenarios;
      continue;
    }
    visible.insert(s.name);
    for (const auto& p : s.processes) {
      if (p.stdin_file) out.inputs.insert(fs::relative(*p.stdin_file, a.dir).string());
    }
  }
  for (const auto& node : root["scenarios"]) {
    const std::string name = node["name"].as<std::string>();
    if (!visible.count(name)) continue;
    YAML::Node kept = YAML::Clone(node);
    kept.remove("visibility");  // every scenario of the kit is visible
    scenarios.push_back(kept);
  }
  root["scenarios"] = scenarios;

  YAML::Node checks(YAML::NodeType::Sequence);
  size_t i = 0;
  for (const auto& node : root["checks"]) {
    const config::CheckSpec& spec = a.checks.at(i++);
    bool shown = spec.scenarios.empty();
    for (const auto& name : spec.scenarios) shown = shown || visible.count(name);
    if (!shown) {
      out.hidden_points += spec.points;
      ++out.hidden_checks;
      continue;
    }
    YAML::Node kept = YAML::Clone(node);
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
  // A roster lists every student's keys: not for students. Keys then come from the assignment id and
  // the student id, as for any assignment without one.
  if (root["keys"] && root["keys"]["roster"]) {
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
      - run: ipcgrade check --junit ipcgrade-junit.xml   # the assignment is named in .ipcgrade
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: ipcgrade-junit
          path: ipcgrade-junit.xml
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
    - ipcgrade check --junit ipcgrade-junit.xml   # the assignment is named in .ipcgrade
  artifacts:
    when: always
    reports:
      junit: ipcgrade-junit.xml
)",
                     image);
}

void copy_into(const fs::path& from, const fs::path& to) {
  fs::create_directories(to.parent_path());
  util::write_file_atomically(to, util::read_file(from));
}

// `files:` entries are files or folders in the assignment folder; folders are copied whole.
void copy_entry(const fs::path& from, const fs::path& to) {
  if (!fs::is_directory(from)) return copy_into(from, to);
  for (const auto& entry : fs::recursive_directory_iterator(from)) {
    if (entry.is_regular_file()) copy_into(entry.path(), to / fs::relative(entry.path(), from));
  }
}

}  // namespace

int run_kit(const KitArgs& args) {
  const config::Assignment a = config::load_assignment(args.assignment);
  const fs::path out = args.out;
  std::error_code ec;
  if (fs::exists(out, ec) && !(fs::is_directory(out, ec) && fs::is_empty(out, ec)))
    throw config::ConfigError(out.string() +
                              ": the kit goes into a new or empty folder, and this one is not");
  for (const auto& rel : a.files) {
    if (rel == "solution" || rel.rfind("solution/", 0) == 0 || rel == "variants" ||
        rel.rfind("variants/", 0) == 0)
      throw config::ConfigError(fmt::format(
          "{}: 'files' names {}, which is the instructor's own: the kit would hand it to students",
          a.file.string(), rel));
  }
  const Reduced reduced = reduce(a);
  for (const auto& rel : reduced.inputs) {
    if (rel.rfind("..", 0) == 0)
      throw config::ConfigError(fmt::format(
          "{}: a visible scenario reads {}, outside the assignment folder: move it in, so that the kit can "
          "carry it",
          a.file.string(), rel));
  }

  const fs::path dir = out / kAssignmentDir;
  fs::create_directories(dir);
  YAML::Emitter yaml;
  yaml << reduced.root;
  util::write_file_atomically(
      dir / "assignment.yaml",
      fmt::format("# The visible part of assignment '{}', written by `ipcgrade kit` for self-checking.\n{}\n",
                  a.id, yaml.c_str()));
  for (const auto& rel : reduced.inputs) copy_into(a.dir / rel, dir / rel);
  for (const auto& rel : a.files) copy_entry(a.dir / rel, dir / rel);
  if (fs::exists(a.dir / "README.md")) copy_into(a.dir / "README.md", out / "README.md");
  util::write_file_atomically(out / ".ipcgrade", std::string(kAssignmentDir) + "/assignment.yaml\n");
  fs::create_directories(out / ".github/workflows");
  util::write_file_atomically(out / ".github/workflows/ipcgrade.yml", github_workflow(args.image));
  util::write_file_atomically(out / ".gitlab-ci.yml", gitlab_ci(args.image));

  // What the kit holds, and what it kept back.
  std::cout << fmt::format("{}: the kit of '{}' for self-checking\n", out.string(), a.id);
  std::cout << fmt::format(
      "  {} visible scenario(s); left out: {} hidden scenario(s), {} check(s) that cover only "
      "them ({} point(s), shown as one number)\n",
      reduced.root["scenarios"].size(), reduced.hidden_scenarios, reduced.hidden_checks,
      reduced.hidden_points);
  if (reduced.roster)
    std::cout
        << "  the roster of keys is left out (it lists every student's keys): `check` derives keys from the "
           "student's folder name\n";
  std::cout << fmt::format(
      "  CI files use the image '{}'{}\n", args.image,
      args.image == "ipcgrade:latest" ? ": pass --image with the one your students' CI can pull" : "");
  std::cout << "  publish the folder as the students' template repository; they run `ipcgrade check` in it\n";
  return kExitPassed;
}

}  // namespace ipcgrade::cli
