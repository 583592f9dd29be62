// The command line: exit codes, help, error messages, the files it writes.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "grader/util/atomic_file.hpp"
#include "tests/host_clean.hpp"
#include "tests/run_cli.hpp"

using namespace ipcgrade::testing;
using nlohmann::json;
namespace fs = std::filesystem;

TEST(Cli, HelpOnEveryCommand) {
  for (const char* cmd : {"grade", "validate"}) {
    const CliResult r = run_ipcgrade({cmd, "--help"});
    EXPECT_EQ(r.code, 0) << cmd;
    EXPECT_NE(r.out.find("ASSIGNMENT"), std::string::npos) << r.out;
  }
  const CliResult top = run_ipcgrade({"--help"});
  EXPECT_EQ(top.code, 0);
  EXPECT_NE(top.out.find("grade"), std::string::npos);
}

TEST(Cli, UsageErrorsExitWithTwo) {
  EXPECT_EQ(run_ipcgrade({}).code, 2);
  EXPECT_EQ(run_ipcgrade({"frobnicate"}).code, 2);
  EXPECT_EQ(run_ipcgrade({"grade", sample("pipe-shout").string()}).code, 2);
  const CliResult missing = run_ipcgrade({"grade", sample("pipe-shout").string(), "/nonexistent/alice"});
  EXPECT_EQ(missing.code, 2);
  EXPECT_EQ(missing.err, "/nonexistent/alice: the submission must be a folder\n");
}

TEST(Cli, ValidateAcceptsTheSamplesAndPointsAtMistakes) {
  const CliResult ok = run_ipcgrade({"validate", sample("msgqueue-relay").string()});
  EXPECT_EQ(ok.code, 0) << ok.err;
  EXPECT_NE(ok.out.find("ok — assignment 'msgqueue-relay'"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("9 check(s), 100 point(s) in all"), std::string::npos) << ok.out;

  TempDir dir;
  const fs::path file = dir.write("assignment.yaml",
                                  "assignment: x\nscenarios:\n  - name: s\n    processes:\n"
                                  "      - {name: p, run: ./p, count: many}\n");
  const CliResult bad = run_ipcgrade({"validate", file.string()});
  EXPECT_EQ(bad.code, 2);
  EXPECT_EQ(bad.err, file.string() + ":5:36: count must be an integer, not 'many'\n");
  // grade rejects it the same way, before building anything.
  fs::create_directories(dir.path() / "alice");
  const CliResult grade = run_ipcgrade({"grade", file.string(), (dir.path() / "alice").string()});
  EXPECT_EQ(grade.code, 2);
  EXPECT_EQ(grade.err, bad.err);
}

// `validate` refuses a shell operator in the string form of `run`, which no shell would see.
TEST(Cli, ValidateRefusesAShellOperatorThatNoShellWouldSee) {
  TempDir dir;
  const fs::path file = dir.write("assignment.yaml",
                                  "assignment: x\nscenarios:\n  - name: s\n    processes:\n"
                                  "      - name: both\n        run: ./server & ./client\n");
  const CliResult bad = run_ipcgrade({"validate", file.string()});
  EXPECT_EQ(bad.code, 2);
  EXPECT_EQ(bad.err, file.string() +
                         ":6:14: 'run': '&' is a shell operator, but no shell runs this command; write it as "
                         "run: [sh, -c, '...'] (or quote the character if the program should get it as an "
                         "argument)\n");
  // The way the error says to write it is accepted.
  dir.write("assignment.yaml",
            "assignment: x\nscenarios:\n  - name: s\n    processes:\n"
            "      - name: both\n        run: [sh, -c, './server & ./client']\n");
  EXPECT_EQ(run_ipcgrade({"validate", file.string()}).code, 0);
}

// `validate` warns where a `ready:` can never hold, so that a process after it would never start: `ready:
// ipc` where no check judges an IPC object (a server that makes only FIFOs), and a `ready: stdout` that
// asks for a newline. The file is still valid (exit 0).
TEST(Cli, ValidateWarnsOfAReadyThatCannotHold) {
  TempDir dir;
  const fs::path file = dir.path() / "assignment.yaml";
  dir.write(
      "assignment.yaml",
      "assignment: x\nscenarios:\n  - name: s\n    processes:\n"
      "      - {name: server, run: ./server, ready: ipc}\n"
      "      - {name: writer, run: ./writer, ready: 'stdout ^ok\\n$'}\n"
      "      - {name: reader, run: ./reader}\n"
      "checks:\n  - {name: prints, type: output, process: reader, stdout: {contains: hi}, points: 1}\n");
  const CliResult r = run_ipcgrade({"validate", file.string()});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(
      r.out.find("  warning: scenario 's', process 'server': ready: ipc, but no check of the scenario judges "
                 "an IPC object; if 'server' makes only pipes, 'writer' never starts (ready: {path: NAME} "
                 "waits for a FIFO, ready: stdout for a line)\n"),
      std::string::npos)
      << r.out;
  EXPECT_NE(
      r.out.find("  warning: scenario 's', process 'writer': ready: stdout '^ok\\n$' asks for a newline, but "
                 "each line is matched without its own: it never matches, and 'reader' never starts\n"),
      std::string::npos)
      << r.out;
  EXPECT_EQ(run_ipcgrade({"validate", sample("msgqueue-relay").string()}).out.find("warning"),
            std::string::npos);
}

// `validate` lists the checks that judge the same fact (a set never removed), says which charges it, and
// says when a later one judges nothing else; and what a student sees of a check over visible and hidden
// scenarios before grades are published.
TEST(Cli, ValidateListsOverlapsAndWhatStudentsSee) {
  TempDir dir;
  const fs::path file = dir.path() / "assignment.yaml";
  dir.write("assignment.yaml",
            "assignment: x\nscenarios:\n  - name: s\n    processes:\n      - {name: p, run: ./p}\n"
            "  - name: h\n    visibility: hidden\n    processes:\n      - {name: p, run: ./p}\n"
            "checks:\n"
            "  - {name: clean, type: no-leftovers, points: 10}\n"
            "  - {name: sets removed, type: sem-usage, initialized: false, points: 5}\n"
            "  - {name: fifos, type: fifo-usage, scenarios: [h], points: 5}\n"
            "  - {name: pages, type: shm-usage, scenarios: [s], remove: false, points: 5}\n");
  const CliResult r = run_ipcgrade({"validate", file.string()});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(
      r.out.find("  overlap: 'clean' and 'sets removed' both judge that semaphore sets and POSIX named "
                 "semaphores are removed: 'clean' (first in the file) charges one left behind, and 'sets "
                 "removed' says so without charging it again; removal is all 'sets removed' judges there, so "
                 "it can never cost a point: drop it, or give its points to 'clean'\n"),
      std::string::npos)
      << r.out;
  // fifo-usage judges O_RDWR too: an overlap, but one that can still cost points.
  EXPECT_NE(
      r.out.find("  overlap: 'clean' and 'fifos' both judge that FIFOs are removed: 'clean' (first in the "
                 "file) charges one left behind, and 'fifos' says so without charging it again\n"),
      std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("'pages'"), r.out.find("  check 'pages'") + 8) << "remove: false judges no removal";
  EXPECT_NE(
      r.out.find("  check 'clean' (no-leftovers): 10 point(s): 5 on the visible scenarios, shown to students "
                 "before grades are published, and 5 on the hidden ones, shown once they are\n"),
      std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  check 'fifos' (fifo-usage): 5 point(s), hidden from students until grades are "
                       "published (it covers only hidden scenarios)\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  check 'pages' (shm-usage): 5 point(s)\n"), std::string::npos) << r.out;
}

class CliGrade : public HostCleanTest {};

// The terminal summary: the advice once and the evidence below it (not the first piece twice), every
// score in one column, and no keys for an assignment that uses none.
TEST_F(CliGrade, TheSummaryShowsEachThingOnceAndAlignsTheScores) {
  const CliResult r = run_ipcgrade({"grade", sample("msgqueue-relay").string(),
                                    sample("msgqueue-relay/variants/whole-struct-msgsz").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find(" · keys 0x"), std::string::npos) << r.out;
  // (pids are the host's where the machine refuses namespaces)
  EXPECT_TRUE(std::regex_search(
      r.out,
      std::regex(R"(\n  FAIL  msgsz counts the payload, not the mtype +0/15\n)"
                 R"(        msgsz is the size of the struct minus sizeof\(long\), padding included: write )"
                 R"(sizeof\(struct request\) - sizeof\(long\)\n)"
                 R"(        - \[three clients\] (server|client) \(pid \d+\): msgsnd\(\d+, \{mtype=)")))
      << r.out;
  EXPECT_EQ(r.out.find("call sites in all; see the evidence)"), std::string::npos) << r.out;
  size_t column = 0;
  for (size_t at = 0; (at = r.out.find("\n  ", at)) != std::string::npos; ++at) {
    const std::string line = r.out.substr(at + 1, r.out.find('\n', at + 1) - at - 1);
    if (line.rfind("  PASS", 0) != 0 && line.rfind("  FAIL", 0) != 0) continue;
    if (column == 0) column = line.size();
    EXPECT_EQ(line.size(), column) << "score out of its column: " << line;
  }
  EXPECT_GT(column, 0u);

  const CliResult pipes = run_ipcgrade(
      {"grade", sample("pipe-shout").string(), sample("pipe-shout/variants/writer-keeps-read-end").string()});
  EXPECT_EQ(pipes.code, 1);
  EXPECT_EQ(pipes.out.find("keys"), std::string::npos) << pipes.out;
  EXPECT_NE(pipes.out.find("student writer-keeps-read-end · isolation "), std::string::npos) << pipes.out;
}

TEST_F(CliGrade, ReportFileSummaryAndVerboseLog) {
  TempDir out;
  const fs::path report = out.path() / "report.yaml";
  const CliResult r = run_ipcgrade({"-v", "grade", sample("shm-exchange").string(),
                                    sample("shm-exchange/variants/no-rmid").string(), "--student", "carol",
                                    "--report", report.string()});
  EXPECT_EQ(r.code, 1);
  // The summary: one line per check, the failure's feedback, the total.
  EXPECT_NE(r.out.find("PASS  the reader prints the writer's text"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("FAIL  the segment is removed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2 shared memory segments were left behind"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Score: 80/100"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\033["), std::string::npos) << "no colour when stdout is not a terminal";
  EXPECT_NE(r.err.find("ipcgrade: info: running scenario 'one message'"), std::string::npos) << r.err;
  // The report, and nothing else, is in the folder: it was written through a temporary file and a rename.
  const YAML::Node y = YAML::LoadFile(report.string());
  EXPECT_EQ(y["student"].as<std::string>(), "carol");
  EXPECT_EQ(y["score"].as<int>(), 80);
  EXPECT_EQ(y["checks"].size(), 7u);
  size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(out.path())) ++files;
  EXPECT_EQ(files, 1u);
}

// Gradescope's entry point leaves a results.json on every path: where ipcgrade wrote none (here a
// mistake in the assignment), one with score 0 saying why, as Markdown-free text.
TEST(Gradescope, TheEntryPointLeavesAResultsJsonWhenTheGraderCannotGrade) {
  TempDir root;
  root.write("source/assignment.yaml", "assignment: x\nscenarios: [\n");
  fs::create_directories(root.path() / "submission");
  const std::string path = fs::path(IPCGRADE_BINARY).parent_path().string() + ":/usr/bin:/bin";
  const CliResult r =
      run_ipcgrade({}, {"/usr/bin/env", "AUTOGRADER_ROOT=" + root.path().string(), "PATH=" + path, "/bin/sh",
                        (fs::path(SOURCE_DIR) / "docker/gradescope/run_autograder").string()});
  EXPECT_EQ(r.code, 2) << r.err;
  const json results = json::parse(std::ifstream(root.path() / "results/results.json"));
  EXPECT_EQ(results["score"], 0);
  EXPECT_EQ(results["output_format"], "text");
  EXPECT_TRUE(results["tests"].empty());
  const std::string output = results["output"];
  EXPECT_EQ(output.rfind("Not graded: ipcgrade could not grade this submission (exit code 2).", 0), 0u)
      << output;
  EXPECT_NE(output.find("assignment.yaml:3:1: end of sequence flow not found"), std::string::npos) << output;
}

// On a terminal, evidence lines are wrapped at spaces to its width, indented, never cut mid-word by the
// terminal itself.
TEST(CliTerminal, EvidenceIsWrappedAtWordsToTheTerminalsWidth) {
  const TerminalResult t = run_in_terminal({"grade", sample("msgqueue-relay").string(),
                                            sample("msgqueue-relay/variants/whole-struct-msgsz").string()},
                                           std::chrono::seconds(60), {}, 60);
  ASSERT_FALSE(t.killed) << t.screen;
  size_t evidence = 0, continued = 0;
  std::string joined;  // the indented lines put back together: every word whole
  std::string line;
  for (char c : t.screen) {
    if (c != '\n' && c != '\r') {
      line += c;
      continue;
    }
    std::string plain;  // without the colour escapes
    for (size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '\033') {
        while (i < line.size() && line[i] != 'm') ++i;
        continue;
      }
      plain += line[i];
    }
    size_t columns = 0;
    for (unsigned char b : plain) columns += (b & 0xc0) != 0x80 ? 1 : 0;
    if (plain.rfind("        - ", 0) == 0) ++evidence;
    if (plain.rfind("          ", 0) == 0) ++continued;
    if (plain.rfind("        ", 0) == 0) {
      EXPECT_LE(columns, 60u) << plain;
      joined += plain.substr(plain.find_first_not_of(' ')) + " ";
    }
    line.clear();
  }
  EXPECT_GT(evidence, 0u) << t.screen;
  EXPECT_GT(continued, 0u) << t.screen;
  EXPECT_NE(joined.find("msgsz 80 counts the long mtype; the payload is 64 to 72 bytes"), std::string::npos)
      << joined;
}
