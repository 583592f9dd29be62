// `ipcgrade kit`: for every sample assignment, the kit holds nothing of a hidden scenario and nothing of
// solution/ or variants/, validates as it stands, and `check` in it gives every submission exactly the
// verdicts of the visible checks that `grade` gives with the full file.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <set>

#include "tests/host_clean.hpp"
#include "tests/run_cli.hpp"

using namespace ipcgrade::testing;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

class Kit : public HostCleanTest {
 protected:
  // The texts of the full file that only hidden scenarios and the checks of only them hold: their
  // names, every word of their commands and inputs, and what their checks expect. A word that a visible
  // scenario or check also holds is not a secret.
  static std::set<std::string> secrets(const fs::path& assignment) {
    const YAML::Node root = YAML::LoadFile((assignment / "assignment.yaml").string());
    std::set<std::string> hidden, visible, hidden_names;
    auto collect = [](const YAML::Node& node, std::set<std::string>& into, auto& self) -> void {
      if (node.IsScalar()) {
        into.insert(node.Scalar());
      } else if (node.IsSequence() || node.IsMap()) {
        for (const auto& item : node) {
          if (node.IsMap()) {
            self(item.second, into, self);
          } else {
            self(item, into, self);
          }
        }
      }
    };
    for (const auto& s : root["scenarios"]) {
      const bool is_hidden = s["visibility"] && s["visibility"].as<std::string>() == "hidden";
      if (is_hidden) hidden_names.insert(s["name"].as<std::string>());
      collect(s["processes"], is_hidden ? hidden : visible, collect);
      if (is_hidden) {
        for (const auto& p : s["processes"]) {
          if (p["stdin_file"]) hidden.insert(read_whole(assignment / p["stdin_file"].as<std::string>()));
        }
      }
    }
    for (const auto& c : root["checks"]) {
      bool only_hidden = static_cast<bool>(c["scenarios"]);
      for (const auto& name : c["scenarios"])
        only_hidden = only_hidden && hidden_names.count(name.as<std::string>());
      YAML::Node expectations = YAML::Clone(c);
      expectations.remove("name");
      expectations.remove("type");
      expectations.remove("points");
      expectations.remove("scenarios");
      collect(expectations, only_hidden ? hidden : visible, collect);
    }
    // A hidden text that a visible scenario or check also holds (a command, a placeholder) is not a secret.
    std::string shared;
    for (const auto& text : visible) shared += text + "\n";
    std::set<std::string> out = hidden_names;
    for (const auto& text : hidden) {
      if (shared.find(text) == std::string::npos && text.size() >= 3) out.insert(text);
    }
    return out;
  }

  // Every regular file under `dir`, by path, with its content.
  static std::map<fs::path, std::string> files_under(const fs::path& dir) {
    std::map<fs::path, std::string> out;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      if (entry.is_regular_file()) out[entry.path()] = read_whole(entry.path());
    }
    return out;
  }

  // check --junit: each testcase's name, and whether it failed.
  static std::map<std::string, std::string> junit_verdicts(const std::string& xml) {
    std::map<std::string, std::string> out;
    for (size_t at = 0; (at = xml.find("<testcase ", at)) != std::string::npos;) {
      at = xml.find(" name=\"", at) + 7;
      std::string name = xml.substr(at, xml.find('"', at) - at);
      for (const auto& [entity, text] : std::vector<std::pair<std::string, std::string>>{
               {"&apos;", "'"}, {"&quot;", "\""}, {"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}}) {
        for (size_t e; (e = name.find(entity)) != std::string::npos;) name.replace(e, entity.size(), text);
      }
      const size_t end = xml.find("</testcase>", at);
      const size_t failure = xml.find("<failure", at);
      const size_t closed = xml.find("/>", at);
      const bool failed = failure != std::string::npos && failure < end && !(closed < xml.find('>', at) + 1);
      out[name] = failed ? "failed" : "passed";
    }
    return out;
  }

  TempDir dir_;
};

}  // namespace

TEST_F(Kit, HoldsNothingHiddenAndChecksLikeTheFullFile) {
  for (const std::string assignment : {"msgqueue-relay", "shm-exchange", "pipe-shout"}) {
    SCOPED_TRACE(assignment);
    const fs::path out = dir_.path() / assignment;
    const CliResult made = run_ipcgrade(
        {"kit", sample(assignment).string(), out.string(), "--image", "registry.example.edu/os/ipcgrade:1"});
    ASSERT_EQ(made.code, 0) << made.err;
    EXPECT_NE(made.out.find("hidden scenario(s)"), std::string::npos) << made.out;

    // The files a student's template repository needs.
    for (const char* file : {"README.md", ".ipcgrade", "assignment/assignment.yaml",
                             ".github/workflows/ipcgrade.yml", ".gitlab-ci.yml"}) {
      EXPECT_TRUE(fs::is_regular_file(out / file)) << file;
    }
    EXPECT_EQ(read_whole(out / ".ipcgrade"), "assignment/assignment.yaml\n");
    const CliResult valid = run_ipcgrade({"validate", (out / "assignment").string()});
    EXPECT_EQ(valid.code, 0) << valid.err;
    EXPECT_EQ(valid.out.find("(hidden)"), std::string::npos) << valid.out;

    // Nothing of a hidden scenario, in any file.
    const auto kit = files_under(out);
    const auto hidden = secrets(sample(assignment));
    ASSERT_FALSE(hidden.empty());
    // The search can fail: the full file holds every one of them.
    const std::string original = read_whole(sample(assignment) / "assignment.yaml");
    for (const auto& secret : hidden) {
      if (secret.find('\n') == std::string::npos) {
        EXPECT_NE(original.find(secret), std::string::npos) << secret;
      }
    }
    if (assignment == "msgqueue-relay") {
      EXPECT_TRUE(hidden.count("two long words") && hidden.count("interprocess") &&
                  hidden.count("INTERPROCESS\n"));
    }
    for (const auto& [path, content] : kit) {
      for (const auto& secret : hidden) {
        EXPECT_EQ(content.find(secret), std::string::npos) << path << " holds \"" << secret << "\"";
      }
    }
    // Nothing of solution/ or variants/: no file of the kit has the content of one of theirs.
    std::set<std::string> instructors;
    for (const char* folder : {"solution", "variants"}) {
      for (const auto& [path, content] : files_under(sample(assignment) / folder))
        instructors.insert(content);
    }
    for (const auto& [path, content] : kit) {
      EXPECT_FALSE(instructors.count(content)) << path << " is a copy of a file of solution/ or variants/";
      EXPECT_EQ(path.string().find("solution"), std::string::npos) << path;
      EXPECT_EQ(path.string().find("variants"), std::string::npos) << path;
    }

    // The CI files are YAML and run `ipcgrade check` in the image given.
    for (const char* ci : {".github/workflows/ipcgrade.yml", ".gitlab-ci.yml"}) {
      const YAML::Node node = YAML::LoadFile((out / ci).string());
      EXPECT_TRUE(node.IsMap()) << ci;
      EXPECT_NE(kit.at(out / ci).find("registry.example.edu/os/ipcgrade:1"), std::string::npos) << ci;
      EXPECT_NE(kit.at(out / ci).find("ipcgrade check --junit"), std::string::npos) << ci;
    }
    EXPECT_EQ(YAML::LoadFile((out / ".gitlab-ci.yml").string())["ipcgrade"]["artifacts"]["reports"]["junit"]
                  .as<std::string>(),
              "ipcgrade-junit.xml");

    // Every submission: check in the kit gives the verdicts that grade gives the visible checks. What
    // grade gives is the report recorded in tests/golden/reports, which SampleReports holds to grade's.
    std::vector<fs::path> submissions{sample(assignment) / "solution"};
    for (const auto& v : fs::directory_iterator(sample(assignment) / "variants"))
      submissions.push_back(v.path());
    for (const auto& submission : submissions) {
      SCOPED_TRACE(submission.filename().string());
      const fs::path recorded = fs::path(SOURCE_DIR) / "tests" / "golden" / "reports" /
                                (assignment + "-" + submission.filename().string() + ".json");
      ASSERT_TRUE(fs::exists(recorded)) << recorded;
      const json report = json::parse(read_whole(recorded));
      const fs::path junit = dir_.path() / "junit.xml";
      const CliResult checked = run_ipcgrade(
          {"check", (out / "assignment").string(), submission.string(), "--junit", junit.string()});
      EXPECT_TRUE(checked.code == 0 || checked.code == 1) << checked.out << checked.err;
      EXPECT_EQ(checked.err.find("holds hidden scenarios"), std::string::npos) << checked.err;
      const auto verdicts = junit_verdicts(read_whole(junit));
      size_t compared = 0;
      for (const auto& c : report["checks"]) {
        if (c["visibility"] != "visible") continue;
        ++compared;
        ASSERT_TRUE(verdicts.count(c["name"])) << c["name"] << " is not in the kit's check";
        EXPECT_EQ(verdicts.at(c["name"]), c["status"]) << c["name"];
      }
      EXPECT_GT(compared, 0u);
    }
  }
}

// `check` says what the hidden checks hold, and warns when the file it reads still holds hidden scenarios.
TEST_F(Kit, CheckCountsTheHiddenPointsAndWarnsAboutAFullFile) {
  const fs::path out = dir_.path() / "kit";
  ASSERT_EQ(run_ipcgrade({"kit", sample("pipe-shout").string(), out.string()}).code, 0);
  const CliResult kit =
      run_ipcgrade({"check", (out / "assignment").string(), sample("pipe-shout/solution").string()});
  EXPECT_EQ(kit.code, 0) << kit.out << kit.err;
  EXPECT_NE(kit.out.find("That is 55/55 on the visible checks; 45 more points are in hidden checks."),
            std::string::npos)
      << kit.out;
  EXPECT_EQ(kit.err.find("hidden scenarios"), std::string::npos) << kit.err;

  const CliResult full =
      run_ipcgrade({"check", sample("pipe-shout").string(), sample("pipe-shout/solution").string()});
  EXPECT_EQ(full.code, 0) << full.err;
  EXPECT_NE(full.out.find("That is 55/55 on the visible checks; 45 more points are in hidden checks."),
            std::string::npos)
      << full.out;
  EXPECT_NE(full.err.find("holds hidden scenarios, and whoever runs check can read them: hand students "
                          "`ipcgrade kit` output instead"),
            std::string::npos)
      << full.err;

  // The kit goes into a new or empty folder: an existing one is not overwritten.
  const CliResult again = run_ipcgrade({"kit", sample("pipe-shout").string(), out.string()});
  EXPECT_EQ(again.code, 2);
  EXPECT_NE(again.err.find("the kit goes into a new or empty folder"), std::string::npos) << again.err;
}

// Input files: the visible scenario's travels with the kit, the hidden one's does not; neither do the
// roster of every student's keys, nor a comment that names the hidden scenario. A `files:` entry under
// solution/ is refused rather than handed out.
TEST_F(Kit, CarriesTheVisibleInputsOnly) {
  const fs::path hw = dir_.path() / "hw";
  dir_.write("hw/visible-input.txt", "apples\n");
  dir_.write("hw/hidden-input.txt", "the secret pears\n");
  dir_.write("hw/judge.sh", "#!/bin/sh\ncat\n", true);
  dir_.write("hw/roster.csv", "alice,0x5000\nbob,0x5010\n");
  dir_.write("hw/assignment.yaml", R"(# the hidden scenario 'pears at midnight' checks the long input
assignment: inputs
keys: {roster: roster.csv}
files: [judge.sh]
scenarios:
  - name: apples
    processes:
      - {name: cat, run: ./judge.sh, stdin_file: visible-input.txt}
  - name: pears at midnight
    visibility: hidden
    processes:
      - {name: cat, run: ./judge.sh, stdin_file: hidden-input.txt}
checks:
  - {name: apples come back, type: output, scenarios: [apples], stdout: {equals: "apples\n"}, points: 5}
  - {name: pears come back, type: output, scenarios: [pears at midnight], stdout: {equals: "the secret pears\n"}, points: 7}
)");
  const fs::path out = dir_.path() / "kit";
  const CliResult made = run_ipcgrade({"kit", hw.string(), out.string()});
  ASSERT_EQ(made.code, 0) << made.err;
  EXPECT_NE(made.out.find("the roster of keys is left out"), std::string::npos) << made.out;
  EXPECT_EQ(read_whole(out / "assignment/visible-input.txt"), "apples\n");
  EXPECT_EQ(read_whole(out / "assignment/judge.sh"), "#!/bin/sh\ncat\n");
  for (const auto& [path, content] : files_under(out)) {
    for (const char* secret : {"pears", "midnight", "0x5010", "roster"}) {
      EXPECT_EQ(content.find(secret), std::string::npos) << path << " holds " << secret;
    }
  }
  const std::string kit = read_whole(out / "assignment/assignment.yaml");
  EXPECT_NE(kit.find("hidden_points: 7"), std::string::npos) << kit;
  EXPECT_EQ(run_ipcgrade({"validate", (out / "assignment").string()}).code, 0);

  dir_.write("hw/assignment.yaml",
             "assignment: inputs\nfiles: [solution]\nscenarios:\n  - name: a\n    processes:\n"
             "      - {name: p, run: ./p}\n");
  fs::create_directories(hw / "solution");
  const CliResult refused = run_ipcgrade({"kit", hw.string(), (dir_.path() / "kit2").string()});
  EXPECT_EQ(refused.code, 2);
  EXPECT_NE(
      refused.err.find("'files' entry 'solution' is under solution/: the kit would hand it to students"),
      std::string::npos)
      << refused.err;
  EXPECT_FALSE(fs::exists(dir_.path() / "kit2"));
}

// What an instructor could hand out by accident through the kit's copies is refused or left out: the
// full assignment file or folder named as an input or in `files:`, a symbolic link (to the solution, or
// out of the kit), a hidden scenario's input or the roster inside a `files:` folder, a check of a process
// only hidden scenarios run, a mapping with a key given twice. Nothing is written outside OUT_DIR, and a
// refused kit leaves nothing behind.
TEST_F(Kit, HandsOutNothingOfTheInstructorsOwnByAnotherWay) {
  const fs::path hw = dir_.path() / "hw";
  dir_.write("hw/solution/answer.c", "SECRET_SOLUTION\n");
  dir_.write("hw/data/in.txt", "apples\n");
  dir_.write("hw/data/hidden.txt", "SECRET_HIDDEN_INPUT\n");
  dir_.write("hw/data/roster.csv", "alice,0x5000\nbob,0x5010\n");
  dir_.write("victim", "ORIGINAL\n");
  fs::create_symlink(dir_.path() / "victim", hw / "data/link.txt");
  fs::create_symlink("loop", hw / "data/loop");
  fs::create_symlink("solution/answer.c", hw / "README.md");
  dir_.write("hw/assignment.yaml", R"(assignment: t
keys: {roster: data/roster.csv}
files: [data]
scenarios:
  - name: apples
    processes:
      - {name: cat, run: cat, stdin_file: data/in.txt}
  - name: SECRET-scenario
    visibility: hidden
    processes:
      - {name: SECRET-driver, run: cat, stdin_file: data/hidden.txt}
checks:
  - {name: the driver exits, type: exit, process: SECRET-driver, points: 3}
  - {name: everything exits, type: exit, points: 2}
)");
  const fs::path out = dir_.path() / "kit";
  const CliResult made = run_ipcgrade({"kit", hw.string(), out.string()});
  ASSERT_EQ(made.code, 0) << made.err;
  EXPECT_NE(made.out.find("README.md is a symbolic link: left out"), std::string::npos) << made.out;
  EXPECT_NE(made.out.find("left out of 'files:' folders: 4 symbolic link(s) and hidden input(s)"),
            std::string::npos)
      << made.out;
  std::set<std::string> names;
  for (const auto& [path, content] : files_under(out)) {
    names.insert(path.lexically_relative(out).string());
    for (const char* secret : {"SECRET", "0x5010"}) {
      EXPECT_EQ(content.find(secret), std::string::npos) << path << " holds " << secret;
    }
  }
  EXPECT_EQ(names, (std::set<std::string>{".github/workflows/ipcgrade.yml", ".gitlab-ci.yml", ".ipcgrade",
                                          "assignment/assignment.yaml", "assignment/data/in.txt"}));
  EXPECT_EQ(read_whole(dir_.path() / "victim"), "ORIGINAL\n");
  const CliResult valid = run_ipcgrade({"validate", (out / "assignment").string()});
  EXPECT_EQ(valid.code, 0) << valid.err;
  // 'everything exits' covers the hidden scenario too: the kit keeps its visible part's point.
  EXPECT_NE(valid.out.find("1 check(s), 1 point(s) in all"), std::string::npos) << valid.out;

  const std::string scenario = "scenarios:\n  - name: v\n    processes:\n      - {name: c, run: cat";
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"assignment: t\n" + scenario + ", stdin_file: assignment.yaml}\n",
       "a visible scenario's stdin_file 'assignment.yaml' is the full assignment file"},
      {"assignment: t\nfiles: [\".\"]\n" + scenario + "}\n",
       "'files' entry '.' is the whole assignment folder"},
      {"assignment: t\nfiles: [assignment.yaml]\n" + scenario + "}\n",
       "'files' entry 'assignment.yaml' is the full assignment file"},
      {"assignment: t\nfiles: [data]\n" + scenario + ", stdin_file: data/link.txt}\n",
       "a visible scenario's stdin_file 'data/link.txt' is a symbolic link"},
      {"assignment: t\n" + scenario + "}\nscenarios: []\n", "'scenarios' is given twice"},
      {"assignment: t\nscenarios:\n  - {name: v, visibility: hidden, processes: [{name: c, run: cat}]}\n",
       "every scenario is hidden"},
  };
  for (const auto& [yaml, why] : refused) {
    SCOPED_TRACE(yaml);
    dir_.write("hw/assignment.yaml", yaml);
    const fs::path none = dir_.path() / "refused";
    const CliResult r = run_ipcgrade({"kit", hw.string(), none.string()});
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_NE(r.err.find(why), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(none));
    EXPECT_FALSE(fs::exists(dir_.path() / ".refused.kit-partial"));
  }
}

// `check` finds its kit from anywhere in the student's repository (a .ipcgrade in a folder above), says
// so when it was run in the kit's assignment/ folder, refuses that folder as the work, and a missing
// Makefile is said once, with why.
TEST_F(Kit, CheckFindsItsKitUpwardAndSaysWhenGivenTheWrongFolder) {
  const fs::path kit = dir_.path() / "kit";
  ASSERT_EQ(run_ipcgrade({"kit", sample("pipe-shout").string(), kit.string()}).code, 0);
  fs::copy(sample("pipe-shout/solution"), kit, fs::copy_options::recursive);
  fs::create_directories(kit / "src");
  auto check_in = [](const fs::path& folder, std::vector<std::string> args = {}) {
    args.insert(args.begin(), "check");
    return run_ipcgrade(args,
                        {"/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", folder.string(), IPCGRADE_BINARY});
  };
  const CliResult from_src = check_in(kit / "src");
  EXPECT_EQ(from_src.code, 0) << from_src.out << from_src.err;
  EXPECT_NE(
      from_src.err.find("ipcgrade: checking " + fs::canonical(kit).string() + " (the folder of .ipcgrade)"),
      std::string::npos)
      << from_src.err;
  const CliResult from_assignment = check_in(kit / "assignment");
  EXPECT_EQ(from_assignment.code, 0) << from_assignment.out << from_assignment.err;
  EXPECT_NE(from_assignment.out.find("Score: 55/55"), std::string::npos) << from_assignment.out;
  const CliResult wrong = check_in(kit, {"assignment", "assignment"});
  EXPECT_EQ(wrong.code, 2);
  EXPECT_EQ(wrong.err,
            "assignment: this is the assignment's folder, not your work: run `ipcgrade check` in your "
            "solution's folder (the top of your repository)\n");
  TempDir nowhere;
  const CliResult lost = check_in(nowhere.path());
  EXPECT_EQ(lost.code, 2);
  EXPECT_NE(lost.err.find("neither this folder nor any folder above it holds a .ipcgrade file"),
            std::string::npos)
      << lost.err;

  fs::remove(kit / "Makefile");
  const CliResult unbuilt = check_in(kit);
  EXPECT_EQ(unbuilt.code, 1);
  EXPECT_NE(unbuilt.out.find("The submission did not build, so every check below fails with it:"),
            std::string::npos)
      << unbuilt.out;
  EXPECT_NE(unbuilt.out.find(
                "[there is no Makefile in the submission: the assignment builds it with 'make', so the "
                "folder needs a Makefile (or makefile) at its top]"),
            std::string::npos)
      << unbuilt.out;
  EXPECT_EQ(unbuilt.out.find("did not build, so nothing could be run"), std::string::npos) << unbuilt.out;
}
