// The escape suite: attacks on what the sealed suite does not cover — the terminal the grader runs in, the
// instructor's own programs in the working folder, the grader's copy of the build's result, the report's
// evidence, and the other students of a batch in tracked mode. Each attack is a submission of its own (its
// sources in tests/hostile/escape/), graded as a user would grade it; each test asserts what the user must
// see once the wall holds.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/run_cli.hpp"

using namespace ipcgrade::testing;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const fs::path kAttacks = fs::path(SOURCE_DIR) / "tests" / "hostile" / "escape";

// A grader that hangs fails its test instead of stalling the suite.
constexpr auto kCommandLimit = std::chrono::seconds(60);

std::string slurp(const fs::path& path) {
  return read_whole(path);
}

void write_file(const fs::path& path, const std::string& content, fs::perms mode = fs::perms(0644)) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
  fs::permissions(path, mode);
}

// The attack's sources, copied as a student's submission folder.
fs::path submit(const fs::path& dir, const std::string& attack, const std::string& student = "mallory") {
  const fs::path to = dir / student;
  fs::create_directories(dir);
  fs::copy(kAttacks / attack, to, fs::copy_options::recursive);
  return to;
}

json parse(const std::string& text) {
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    ADD_FAILURE() << "not a JSON report (" << e.what() << "):\n" << text;
    return json::object();
  }
}

json check_named(const json& report, const std::string& name) {
  for (const auto& c : report.value("checks", json::array())) {
    if (c.value("name", "") == name) return c;
  }
  ADD_FAILURE() << "no check '" << name << "' in the report";
  return json::object();
}

// Waits until no process has `needle` on its command line (the supervisors of a grader that was killed die
// with it, a moment later).
void wait_gone(const std::string& needle) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!processes_with(needle).empty() && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

// `text` with its control bytes written out (\x1b), for messages shown on the terminal running the tests.
std::string shown(const std::string& text) {
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\n' && c != '\t') || u == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", u);
      out += hex;
    } else {
      out += c;
    }
  }
  return out;
}

class Escape : public ::testing::TestWithParam<std::string> {};

// Attack 1: a program that opens /dev/tty. The grader started from an instructor's terminal shares its
// session with every program it runs (each is only in a process group of its own), so /dev/tty is that
// terminal: the program writes past the report's escaping straight onto the screen, and TIOCSTI types a
// command that the instructor's shell runs, as root, once the grader returns. The build (`./prog build` in
// the Makefile) and the scenario's program both try. Nothing of theirs may reach the terminal.
TEST_P(Escape, ProgramsCannotWriteToOrTypeIntoTheGradersTerminal) {
  TempDir dir;
  const fs::path student = submit(dir.path(), "terminal");
  write_file(dir.path() / "assignment" / "assignment.yaml",
             "assignment: escape\n"
             "build: {command: make, timeout: 30s}\n"
             "limits: {wall: 3s}\n"
             "scenarios:\n"
             "  - name: s\n"
             "    processes:\n"
             "      - {name: p, run: ./prog run}\n"
             "checks:\n"
             "  - {name: output, type: output, stdout: {equals: \"the answer\\n\"}, points: 10}\n");
  // The grader as an instructor runs it: in a session of its own whose controlling terminal is a pty.
  const TerminalResult t = run_in_terminal(
      {"grade", (dir.path() / "assignment").string(), student.string(), "--isolation", GetParam()},
      kCommandLimit);
  const std::string& screen = t.screen;
  const int status = t.status;
  const bool killed = t.killed;
  ASSERT_FALSE(killed) << "the grader did not finish in 60 s";
  ASSERT_TRUE(WIFEXITED(status)) << screen;
  EXPECT_TRUE(WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 1) << "exit " << WEXITSTATUS(status) << "\n"
                                                                    << screen;
  // What the student wrote to the terminal, and what it typed (echoed by the terminal, and waiting as the
  // shell's next command line).
  for (const std::string where : {"build", "run"}) {
    EXPECT_EQ(screen.find("ESCAPE-TTY-WRITE-" + where), std::string::npos)
        << "the " << where << " wrote to the grader's terminal";
    EXPECT_EQ(screen.find("ESCAPE-TTY-TYPED-" + where), std::string::npos)
        << "the " << where << " typed a command into the grader's terminal";
  }
  EXPECT_EQ(screen.find("\033]0;owned"), std::string::npos) << "the terminal's title was set by the student";
  if (::testing::Test::HasFailure()) std::cerr << "the terminal showed:\n" << shown(screen) << "\n";
  // The summary on the screen: the submission built and was graded.
  EXPECT_NE(screen.find("build ok"), std::string::npos) << screen;
}

// Attack 2: the instructor's judge (`files: [tools/judge]`, run after the student's program in the same
// scenario) is in the student's working folder, owned by the student's uid like the rest of it: the
// student's program replaces it with one that says PASS. The judge that runs must be the instructor's.
TEST_P(Escape, AProgramCannotReplaceTheInstructorsJudge) {
  TempDir dir;
  const fs::path student = submit(dir.path(), "instructor_peer");
  const fs::path assignment = dir.path() / "assignment";
  write_file(assignment / "tools" / "judge",
             "#!/bin/sh\n# the reference judge: this submission does no work\necho FAIL\n", fs::perms(0755));
  write_file(assignment / "assignment.yaml",
             "assignment: escape\n"
             "build: {command: make, timeout: 30s}\n"
             "files: [tools/judge]\n"
             "limits: {wall: 3s}\n"
             "scenarios:\n"
             "  - name: s\n"
             "    processes:\n"
             "      - {name: student, run: ./prog, ready: exit}\n"
             "      - {name: judge, run: ./tools/judge}\n"
             "checks:\n"
             "  - {name: the judge approves, type: output, process: judge, stdout: {equals: \"PASS\\n\"}, "
             "points: 10}\n");
  const CliResult cli =
      run_ipcgrade({"grade", assignment.string(), student.string(), "--json", "--isolation", GetParam()});
  ASSERT_TRUE(cli.code == 0 || cli.code == 1) << "exit " << cli.code << "\n" << cli.err;
  const json r = parse(cli.out);
  // Where the run has no uid of its own (root in a container), the instructor's files are its own: the
  // report must say so, and that is all this machine can give.
  const std::string held = r["scenarios"][0]["enforced"].value("instructor_files", "");
  if (held.rfind("writable by the run", 0) == 0) {
    EXPECT_NE(r["scenarios"][0]["enforced"].value("uid", "").find("(the grader's)"), std::string::npos);
    return;
  }
  // tools/judge is a program a scenario runs: private, so the judge runs as a uid of the instructor's.
  EXPECT_TRUE(
      std::regex_match(held, std::regex("read-only to the run: the grader's, in folders the run cannot "
                                        "rename; the private ones \\(1\\) unreadable by it: the "
                                        "instructor's programs run as uid \\d+ to read them")))
      << held;
  const json judged = check_named(r, "the judge approves");
  EXPECT_EQ(judged.value("status", ""), "failed") << "the student's program rewrote the instructor's judge:\n"
                                                  << judged.dump(2);
  EXPECT_EQ(r.value("score", -1.0), 0.0) << r.dump(2);
  for (const auto& s : r.value("scenarios", json::array())) {
    for (const auto& p : s.value("processes", json::array())) {
      if (p.value("name", "") == "judge") {
        EXPECT_EQ(p.value("stdout", json()), "FAIL\n") << p.dump(2);
      }
    }
  }
}

// Attack 3: hard links. The build's working folder is a tmpfs of its disk limit, where a hard link costs no
// block: 4 MiB of data under 2001 names fits in a 16 MiB build. The grader copies the build's result back
// to its scratch folder on the host's disk one name at a time, each as a file of its own: 8 GB written to
// the grader's TMPDIR (and, with a 512 MiB file and 32768 names, the host's disk filled). The scratch
// folder must never hold much more than the build's disk limit. The test stops the grader once it holds
// 256 MiB.
TEST(EscapeNamespaces, HardLinksInTheBuildsResultDoNotMultiplyOnTheHostsDisk) {
  TempDir dir;
  const fs::path student = submit(dir.path(), "hard_links");
  const fs::path assignment = dir.path() / "assignment";
  write_file(assignment / "assignment.yaml",
             "assignment: escape\n"
             "build: {command: make, timeout: 10s, limits: {disk: 16MiB}}\n"
             "limits: {wall: 3s, disk: 32MiB}\n"
             "scenarios:\n"
             "  - name: s\n"
             "    processes:\n"
             "      - {name: p, run: ./prog}\n"
             "checks:\n"
             "  - {name: output, type: output, stdout: {equals: \"hello\\n\"}, points: 10}\n");
  const fs::path tmpdir = dir.path() / "tmpdir";
  fs::create_directories(tmpdir);
  const fs::path out = dir.path() / "stdout", err = dir.path() / "stderr";

  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::setenv("TMPDIR", tmpdir.c_str(), 1);
    const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int in = ::open("/dev/null", O_RDONLY);
    ::dup2(in, 0);
    ::dup2(o, 1);
    ::dup2(e, 2);
    ::execl(IPCGRADE_BINARY, "ipcgrade", "grade", assignment.c_str(), student.c_str(), "--json",
            "--isolation", "auto", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // The blocks the grader's scratch folders hold, sampled while it runs: each file once, whatever the
  // number of names (hard links) it has.
  auto used = [&] {
    std::uintmax_t bytes = 0;
    std::set<std::pair<dev_t, ino_t>> seen;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(tmpdir, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      struct stat st {};
      if (::lstat(it->path().c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
          seen.insert({st.st_dev, st.st_ino}).second)
        bytes += static_cast<std::uintmax_t>(st.st_blocks) * 512;
    }
    return bytes;
  };
  constexpr std::uintmax_t kStop = 256ULL << 20;
  std::uintmax_t peak = 0;
  int status = 0;
  bool stopped = false;
  const auto start = std::chrono::steady_clock::now();
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    peak = std::max(peak, used());
    if (peak > kStop || std::chrono::steady_clock::now() - start > kCommandLimit) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      stopped = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  wait_gone(assignment.string());
  EXPECT_LE(peak, 64ULL << 20) << "the grader's scratch folder held " << (peak >> 20)
                               << " MiB of a build whose disk limit is 16 MiB"
                               << (stopped ? " (and was stopped there)" : "");
  EXPECT_FALSE(stopped) << "the grader was stopped: its scratch folder passed 256 MiB";
  if (!stopped) {
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_TRUE(WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 1)
        << "exit " << WEXITSTATUS(status) << "\n"
        << slurp(err);
  }
}

// Attack 4: the evidence of a failed check names the source line of the call, from the debug information
// of the student's binary, whose file names are the student's to choose (#line). The name here is terminal
// control sequences: on the instructor's terminal the summary would set the window title and hide every line
// after it, the real score among them. Every control byte of the summary must come out escaped.
TEST_P(Escape, ControlCharactersInASourceFileNameAreEscapedInTheSummary) {
  TempDir dir;
  const fs::path student = submit(dir.path(), "evidence_name");
  const fs::path assignment = dir.path() / "assignment";
  write_file(assignment / "assignment.yaml",
             "assignment: escape\n"
             "build: {command: make, timeout: 30s}\n"
             "limits: {wall: 3s}\n"
             "scenarios:\n"
             "  - name: s\n"
             "    processes:\n"
             "      - {name: p, run: ./prog}\n"
             "checks:\n"
             "  - {name: every queue is removed, type: no-leftovers, points: 10}\n");
  const CliResult cli =
      run_ipcgrade({"grade", assignment.string(), student.string(), "--isolation", GetParam()});
  ASSERT_TRUE(cli.code == 0 || cli.code == 1) << "exit " << cli.code << "\n" << cli.err;
  ASSERT_NE(cli.out.find("every queue is removed"), std::string::npos) << cli.out;
  ASSERT_NE(cli.out.find(":7"), std::string::npos) << "the evidence names no source line:\n"
                                                   << shown(cli.out);
  for (const char c : {'\033', '\007'}) {
    EXPECT_EQ(cli.out.find(c), std::string::npos)
        << "a raw control byte 0x" << std::hex << static_cast<int>(c) << " in the summary:\n"
        << shown(cli.out);
  }
}

// Attack 4b: message-size's advice names the student's own struct from the debug information, whose names
// are the student's to choose (rewritten in the assembly the build makes): the same control sequences.
TEST_P(Escape, ControlCharactersInAStructNameAreEscapedInTheAdvice) {
  TempDir dir;
  const fs::path student = submit(dir.path(), "struct_name");
  const fs::path assignment = dir.path() / "assignment";
  write_file(assignment / "assignment.yaml",
             "assignment: escape\n"
             "build: {command: make, timeout: 30s}\n"
             "limits: {wall: 3s}\n"
             "scenarios:\n"
             "  - name: s\n"
             "    processes:\n"
             "      - {name: p, run: ./prog}\n"
             "checks:\n"
             "  - {name: message sizes, type: message-size, points: 10}\n");
  const CliResult cli =
      run_ipcgrade({"grade", assignment.string(), student.string(), "--isolation", GetParam()});
  ASSERT_EQ(cli.code, 1) << cli.err << shown(cli.out);
  EXPECT_NE(cli.out.find("write sizeof(struct \\e]0;owned\\x07\\e[8m) - sizeof(long)"), std::string::npos)
      << shown(cli.out);
  for (const char c : {'\033', '\007'}) {
    EXPECT_EQ(cli.out.find(c), std::string::npos)
        << "a raw control byte 0x" << std::hex << static_cast<int>(c) << " in the summary:\n"
        << shown(cli.out);
  }
  // The name did reach the check as the student wrote it: the JSON report carries it, JSON-escaped.
  const CliResult report =
      run_ipcgrade({"grade", assignment.string(), student.string(), "--isolation", GetParam(), "--json"});
  const std::string feedback = check_named(parse(report.out), "message sizes")["feedback"];
  EXPECT_NE(feedback.find("sizeof(struct \033]0;owned\007\033[8m) - sizeof(long)"), std::string::npos)
      << feedback;
}

// Runs `command` through the shell; its exit code and what it printed.
std::pair<int, std::string> shell(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return {-1, "popen failed"};
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// `path` quoted for the shell.
std::string quoted(const std::string& path) {
  std::string out = "'";
  for (const char c : path) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Attack 6: a class whose every text lies to the reader of an export. The submission's build log and its
// program's output carry terminal sequences (clear the screen, print a fake full score), DEL, a C1 control
// and a byte that is not UTF-8; its call site's file name (#line) is a carriage return and a sequence that
// repaints the line above; and the students' folders are named as spreadsheet formulas (`=2+5`,
// `@SUM(1+1)`), with a comma and with a quote. No raw control byte reaches the terminal; PyYAML, Python's
// json and xmllint read every report; Python's csv module reads the gradebook with every name intact and no
// cell a spreadsheet would run.
TEST_P(Escape, EveryExportReadsCleanlyWhateverTheSubmissionWrote) {
  if (shell("python3 -c 'import yaml' && xmllint --version").first != 0)
    GTEST_SKIP() << "needs python3, PyYAML and xmllint (scripts/install-deps.sh --test)";
  TempDir dir;
  const std::vector<std::string> students = {"mallory", "=2+5", "@SUM(1+1)", "a,b", "q\"uote"};
  for (const auto& s : students) submit(dir.path() / "class", "exports", s);
  write_file(dir.path() / "assignment" / "assignment.yaml",
             "assignment: exports\n"
             "build: {command: make, timeout: 30s}\n"
             "limits: {wall: 3s}\n"
             "scenarios:\n"
             "  - name: s\n"
             "    processes:\n"
             "      - {name: p, run: ./prog}\n"
             "checks:\n"
             "  - {name: every queue is removed, type: no-leftovers, points: 10}\n"
             "  - {name: output, type: output, stdout: {equals: \"ok\\n\"}, points: 5}\n");
  const fs::path out = dir.path() / "out";
  const CliResult batch =
      run_ipcgrade({"batch", (dir.path() / "assignment").string(), (dir.path() / "class").string(), "--out",
                    out.string(), "--gradescope", "--junit", "--jobs", "2", "--isolation", GetParam()});
  ASSERT_EQ(batch.code, 0) << batch.out << batch.err;  // every student graded
  const CliResult grade =
      run_ipcgrade({"grade", (dir.path() / "assignment").string(),
                    (dir.path() / "class" / "mallory").string(), "--isolation", GetParam()});
  ASSERT_EQ(grade.code, 1) << grade.out << grade.err;
  // The attack did reach the grader: the fake score is in the output, the call site named.
  ASSERT_NE(grade.out.find("PASS everything 100/100"), std::string::npos) << shown(grade.out);
  ASSERT_NE(grade.out.find(":63"), std::string::npos) << shown(grade.out);
  for (const auto& [what, text] : {std::pair{"grade", grade.out}, std::pair{"batch", batch.out + batch.err},
                                   std::pair{"summary.md", slurp(out / "summary.md")}}) {
    for (const std::string raw : {"\033", "\r", "\177", "\302\233", "\377"})
      EXPECT_EQ(text.find(raw), std::string::npos) << what << " holds a raw " << shown(raw) << ":\n"
                                                   << shown(text);
  }
  for (const auto& s : students) {
    SCOPED_TRACE(s);
    const fs::path folder = out / s;
    auto [yaml_code, yaml_said] =
        shell("python3 -c 'import sys, yaml; yaml.safe_load(open(sys.argv[1], encoding=\"utf-8\"))' " +
              quoted((folder / "report.yaml").string()));
    EXPECT_EQ(yaml_code, 0) << yaml_said;
    auto [json_code, json_said] =
        shell("python3 -c 'import sys, json; json.load(open(sys.argv[1], encoding=\"utf-8\"))' " +
              quoted((folder / "results.json").string()));
    EXPECT_EQ(json_code, 0) << json_said;
    auto [xml_code, xml_said] = shell("xmllint --noout " + quoted((folder / "junit.xml").string()));
    EXPECT_EQ(xml_code, 0) << xml_said;
  }
  // The gradebook: each row's first cell, as Python's csv module reads it.
  auto [csv_code, csv_said] = shell(
      "python3 -c 'import csv, sys\n"
      "rows = list(csv.reader(open(sys.argv[1], newline=\"\", encoding=\"utf-8\")))\n"
      "assert all(not cell.startswith((\"=\", \"+\", \"-\", \"@\")) for row in rows for cell in row), rows\n"
      "print(\"\\n\".join(row[0] for row in rows[1:]))' " +
      quoted((out / "gradebook.csv").string()));
  ASSERT_EQ(csv_code, 0) << csv_said;
  std::set<std::string> names;
  std::istringstream lines(csv_said);
  for (std::string line; std::getline(lines, line);) names.insert(line);
  EXPECT_EQ(names, (std::set<std::string>{"mallory", "'=2+5", "'@SUM(1+1)", "a,b", "q\"uote"})) << csv_said;
}

INSTANTIATE_TEST_SUITE_P(Modes, Escape, ::testing::Values("auto", "tracked"),
                         [](const ::testing::TestParamInfo<std::string>& mode) { return mode.param; });

// Attack 5 (tracked mode): a batch grades three students at once, each from a scratch copy in the grader's
// /tmp. The copies keep the students' modes (0644 sources, as a clone leaves them) in folders anyone may
// enter, and tracked mode has no root of its own: mallory's Makefile lists /tmp and reads alice's source
// while alice is graded beside it. Nothing of alice's may reach mallory's report.
TEST(EscapeTracked, AStudentCannotReadAnotherStudentsScratchCopyDuringABatch) {
  TempDir dir;
  const fs::path klass = dir.path() / "class";
  submit(klass, "peer_scratch");
  const std::string secret = "escape-alice-" + std::to_string(::getpid()) + "-" +
                             std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  // An honest student whose build takes a few seconds: her scratch copy is there while mallory looks.
  write_file(klass / "alice" / "prog.c", "/* " + secret + " */\nint main(void) { return 0; }\n");
  write_file(klass / "alice" / "Makefile", "prog: prog.c\n\tsleep 3\n\tcc -o prog prog.c\n");
  fs::permissions(klass / "alice", fs::perms(0755));
  const fs::path assignment = dir.path() / "assignment";
  write_file(assignment / "assignment.yaml",
             "assignment: escape\n"
             "build: {command: make, timeout: 20s}\n"
             "limits: {wall: 3s}\n"
             "scenarios:\n"
             "  - name: s\n"
             "    processes:\n"
             "      - {name: p, run: ./prog}\n"
             "checks:\n"
             "  - {name: runs, type: exit, code: 0, points: 10}\n");
  const fs::path out = dir.path() / "out";
  const CliResult cli = run_ipcgrade({"batch", assignment.string(), klass.string(), "--out", out.string(),
                                      "--jobs", "2", "--isolation", "tracked"});
  ASSERT_EQ(cli.code, 0) << cli.err;
  const std::string mallory = slurp(out / "mallory" / "report.yaml");
  ASSERT_FALSE(mallory.empty()) << "no report for mallory";
  EXPECT_EQ(mallory.find(secret), std::string::npos)
      << "mallory's build read alice's source from alice's scratch copy:\n"
      << mallory.substr(0, 2000);
}

// Attack 6 (tracked mode): three students graded at once share the host's keys, ids and /proc. Mallory
// takes the keys the public derivation gives alice and bob, drains and removes every queue she can name
// by id, and kills every process named like theirs (by pid, and through /proc/PID used as a pidfd). The
// batch's key secret, the guard's closed world of IPC objects and its hold on signals and pidfds leave
// alice and bob with the grade each gets alone; mallory gets what she left.
TEST(EscapeTracked, AClassmateInATrackedBatchCannotSquatDrainOrKill) {
  TempDir dir;
  const fs::path klass = dir.path() / "class";
  submit(klass, "classmates");
  const std::string honest =
      "#include <stdio.h>\n#include <stdlib.h>\n#include <sys/msg.h>\n#include <sys/wait.h>\n"
      "#include <unistd.h>\n"
      "struct msg { long mtype; char text[16]; };\n"
      "int main(int argc, char** argv) {\n"
      "  usleep(1000000);\n"  // a server that takes a moment to start: mallory is there first
      "  int q = msgget((key_t)strtol(argv[1], 0, 0), IPC_CREAT | 0600);\n"
      "  if (q < 0) { perror(\"msgget\"); return 1; }\n"
      "  if (fork() == 0) {\n"
      "    struct msg m = {1, \"hello\"};\n"
      "    for (int i = 0; i < 20; ++i) { msgsnd(q, &m, sizeof m.text, 0); usleep(100000); }\n"
      "    _exit(0);\n"
      "  }\n"
      "  struct msg m; int got = 0;\n"
      "  while (got < 20 && msgrcv(q, &m, sizeof m.text, 0, 0) >= 0) ++got;\n"
      "  wait(0);\n"
      "  printf(\"got %d\\n\", got);\n"
      "  msgctl(q, IPC_RMID, 0);\n"
      "  return 0;\n"
      "}\n";
  for (const char* student : {"alice", "bob"}) {
    write_file(klass / student / "honest.c", honest);
    write_file(klass / student / "Makefile", "honest: honest.c\n\tcc -o honest honest.c\n");
  }
  const fs::path assignment = dir.path() / "assignment";
  write_file(assignment / "assignment.yaml",
             "assignment: classmates\n"
             "build: {command: make, timeout: 20s}\n"
             "keys: {count: 1}\n"
             "limits: {wall: 6s}\n"
             "scenarios:\n"
             "  - name: s\n"
             "    processes:\n"
             "      - {name: honest, run: './honest {key0}'}\n"
             "checks:\n"
             "  - {name: every message arrives, type: output, process: honest, stdout: {contains: got 20}, "
             "points: 50}\n"
             "  - {name: nothing is left, type: no-leftovers, points: 50}\n");
  const fs::path out = dir.path() / "out";
  const CliResult cli = run_ipcgrade({"batch", assignment.string(), klass.string(), "--out", out.string(),
                                      "--jobs", "3", "--isolation", "tracked"});
  ASSERT_EQ(cli.code, 0) << cli.err;
  for (const char* student : {"alice", "bob"}) {
    const std::string report = slurp(out / student / "report.yaml");
    EXPECT_NE(report.find("\nscore: 100\n"), std::string::npos) << student << ":\n" << report.substr(0, 3000);
  }
  const std::string mallory = slurp(out / "mallory" / "report.yaml");
  EXPECT_NE(mallory.find("squatted "), std::string::npos) << mallory.substr(0, 3000);
  EXPECT_NE(mallory.find("drained 0, removed 0, killed 0"), std::string::npos) << mallory.substr(0, 3000);
}

}  // namespace

// `ipcgrade run` reports what the program left under the program's own names: a POSIX shared memory
// object named with an escape sequence is shown escaped, not played on the student's terminal.
TEST(EscapeRun, ObjectNamesInTheLeakSummaryAreEscaped) {
  IPCGRADE_SKIP_WITHOUT_NAMESPACES();
  TempDir dir;
  dir.write("evil.c",
            "#include <fcntl.h>\n#include <sys/mman.h>\n"
            "int main(void) { return shm_open(\"/evil\\033[2J\\033]0;pwned\\007\", O_CREAT | O_RDWR, 0600) < "
            "0; }\n");
  const std::string build =
      "cc -o " + (dir.path() / "evil").string() + " " + (dir.path() / "evil.c").string();
  ASSERT_EQ(std::system(build.c_str()), 0);
  const CliResult r = run_ipcgrade({"run", "--", (dir.path() / "evil").string()});
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\x07'), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("POSIX shared memory object /evil\\e[2J\\e]0;pwned\\x07 (mode 0600"),
            std::string::npos)
      << r.err;
}
