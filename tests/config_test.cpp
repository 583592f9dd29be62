// The assignment parser: what it accepts, and for every kind of mistake the exact file:line:column.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "checks/make_checks.hpp"
#include "grader/config/assignment.hpp"
#include "grader/config/error.hpp"

namespace fs = std::filesystem;
using ipcgrade::checks::load_assignment;
using ipcgrade::config::ConfigError;

namespace {

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ipcgrade-config-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& text, const std::string& name = "assignment.yaml") {
    std::ofstream(dir_ / name) << text;
    return dir_ / name;
  }
  // The message of the error that loading `text` raises, with the folder replaced by "DIR".
  std::string error_of(const std::string& text) {
    const fs::path file = write(text);
    try {
      load_assignment(file);
    } catch (const ConfigError& e) {
      std::string message = e.what();
      const std::string prefix = dir_.string();
      for (size_t at; (at = message.find(prefix)) != std::string::npos;)
        message.replace(at, prefix.size(), "DIR");
      return message;
    }
    return "(no error)";
  }
  fs::path dir_;
};

const char* kMinimal = R"(assignment: demo
scenarios:
  - name: one
    processes:
      - name: p
        run: ./p {key}
)";

}  // namespace

TEST_F(ConfigTest, ReadsEveryPartOfTheSpecExample) {
  std::ofstream(dir_ / "roster.csv") << "student,key0,key1\nalice,0x5000,0x5001\n";
  std::ofstream(dir_ / "input.txt") << "hello {student}\n";
  const fs::path file = write(R"(assignment: relay
title: Upper-case relay
build:
  command: make
  timeout: 90s
keys:
  count: 2
  roster: roster.csv
limits:
  wall: 10s
  cpu: 5s
  memory: 256MiB
  processes: 64
  output: 64KiB
scenarios:
  - name: three clients
    visibility: visible
    limits: {wall: 250ms}
    processes:
      - name: server
        run: ./server {key} 3
        ready: ipc
      - name: client
        run: ./client "{key1}" 'two words' word{index}
        count: 3
        stdin: "text\n"
        ready: stdout ^ready$
      - name: sleeper
        run: [./sleeper, "{key_hex}", a b]
        stdin_file: input.txt
        ready: 200ms
checks:
  - name: every client gets its own word back
    type: output
    scenarios: [three clients]
    process: client
    stdout: {matches: "^WORD[0-2]\n$"}
    points: 20
  - name: leftovers
    type: no-leftovers
    per_object: 2.5
    points: 10
)");
  const auto a = load_assignment(file);
  EXPECT_EQ(a.id, "relay");
  EXPECT_EQ(a.title, "Upper-case relay");
  ASSERT_TRUE(a.build);
  EXPECT_EQ(a.build->command, "make");
  EXPECT_EQ(a.build->timeout.count(), 90000);
  EXPECT_EQ(a.keys.count, 2);
  EXPECT_EQ(a.keys.roster->filename(), "roster.csv");
  EXPECT_EQ(a.limits.memory, 256u << 20);
  EXPECT_EQ(a.limits.output, 64u << 10);
  ASSERT_EQ(a.scenarios.size(), 1u);
  const auto& s = a.scenarios[0];
  EXPECT_EQ(s.limits.wall.count(), 250);  // the scenario's own limit
  EXPECT_EQ(s.limits.cpu.count(), 5000);  // inherited
  ASSERT_EQ(s.processes.size(), 3u);
  EXPECT_EQ(s.processes[0].ready.kind, ipcgrade::config::Ready::Kind::Ipc);
  EXPECT_EQ(s.processes[1].argv,
            (std::vector<std::string>{"./client", "{key1}", "two words", "word{index}"}));
  EXPECT_EQ(s.processes[1].count, 3);
  EXPECT_EQ(*s.processes[1].stdin_text, "text\n");
  EXPECT_EQ(s.processes[1].ready.kind, ipcgrade::config::Ready::Kind::Stdout);
  EXPECT_EQ(s.processes[1].ready.pattern, "^ready$");
  EXPECT_EQ(s.processes[2].argv, (std::vector<std::string>{"./sleeper", "{key_hex}", "a b"}));
  EXPECT_EQ(s.processes[2].ready.delay.count(), 200);
  EXPECT_EQ(s.processes[2].stdin_file->filename(), "input.txt");
  ASSERT_EQ(a.checks.size(), 2u);
  EXPECT_EQ(a.checks[0].process, "client");
  EXPECT_EQ(ipcgrade::checks::make_check(a.checks[1])->per_offence, 2.5);
}

TEST_F(ConfigTest, DefaultsApplyWhenOmitted) {
  const auto a = load_assignment(write(kMinimal));
  EXPECT_FALSE(a.build);
  EXPECT_EQ(a.keys.count, 1);
  EXPECT_EQ(a.scenarios[0].limits.wall.count(), 10000);
  EXPECT_EQ(a.scenarios[0].limits.processes, 64);
  EXPECT_EQ(a.scenarios[0].visibility, ipcgrade::config::Visibility::Visible);
  EXPECT_TRUE(a.checks.empty());
}

TEST_F(ConfigTest, AFolderMeansItsAssignmentYaml) {
  write(kMinimal);
  EXPECT_EQ(load_assignment(dir_).id, "demo");
}

TEST_F(ConfigTest, MissingFile) {
  EXPECT_EQ(
      error_of(""),
      "DIR/assignment.yaml: an assignment file must be a mapping (assignment:, scenarios:, checks:, ...)");
  try {
    load_assignment(dir_ / "nope.yaml");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), (dir_ / "nope.yaml").string() + ": no such assignment file");
  }
}

TEST_F(ConfigTest, YamlSyntaxError) {
  EXPECT_EQ(error_of("assignment: demo\nscenarios: [\n  - name: x\n"),
            "DIR/assignment.yaml:3:3: illegal block entry");
}

TEST_F(ConfigTest, UnknownKeyWithHint) {
  EXPECT_EQ(
      error_of(std::string(kMinimal) + "limts:\n  wall: 1s\n"),
      "DIR/assignment.yaml:7:1: unknown key 'limts' (did you mean 'limits'?); expected one of: assignment, "
      "title, build, keys, limits, scenarios, checks, files, env, hidden_points");
  EXPECT_EQ(
      error_of("assignment: demo\nscenarios:\n  - name: one\n    processes:\n      - name: p\n"
               "        run: ./p\n        cuont: 3\n"),
      "DIR/assignment.yaml:7:9: unknown key 'cuont' (did you mean 'count'?); expected one of: name, run, "
      "ready, count, stdin, stdin_file, stop");
}

TEST_F(ConfigTest, WrongType) {
  EXPECT_EQ(error_of("assignment: demo\nscenarios: {name: one}\n"),
            "DIR/assignment.yaml:2:12: 'scenarios' must be a non-empty list");
  EXPECT_EQ(error_of(std::string(kMinimal) + "        count: three\n"),
            "DIR/assignment.yaml:7:16: count must be an integer, not 'three'");
  EXPECT_EQ(error_of(std::string(kMinimal) + "checks:\n  - name: c\n    type: exit\n    points: lots\n"),
            "DIR/assignment.yaml:10:13: 'points' must be a number >= 0, not 'lots'");
}

TEST_F(ConfigTest, UnknownCheckType) {
  EXPECT_EQ(
      error_of(std::string(kMinimal) + "checks:\n  - name: c\n    type: leak\n    points: 1\n"),
      "DIR/assignment.yaml:9:11: unknown check type 'leak'; known types: output, exit, no-leftovers, "
      "assigned-key, permissions, message-size, type-filter, shm-usage, sem-usage, fifo-usage, mq-usage, "
      "pipe-closure, pipe-messages, ipc-errors");
}

TEST_F(ConfigTest, CheckParametersAreValidatedByTheirType) {
  EXPECT_EQ(
      error_of(std::string(kMinimal) + "checks:\n  - name: c\n    type: output\n    points: 1\n"
                                       "    stdout: {equal: x}\n"),
      "DIR/assignment.yaml:11:14: unknown key 'equal' (did you mean 'equals'?); expected one of: equals, "
      "contains, matches");
  EXPECT_EQ(
      error_of(std::string(kMinimal) + "checks:\n  - name: c\n    type: exit\n    points: 1\n    codes: 2\n"),
      "DIR/assignment.yaml:11:5: unknown key 'codes' (did you mean 'code'?); expected one of: name, type, "
      "points, scenarios, process, runs, optional, code, signal, reap");
  EXPECT_EQ(error_of(std::string(kMinimal) + "checks:\n  - name: c\n    type: output\n    points: 1\n"
                                             "    stdout: {matches: \"([a-z\"}\n"),
            "DIR/assignment.yaml:11:23: '([a-z' is not a valid regular expression: missing ]: [a-z (at "
            "character 2)");
  EXPECT_EQ(error_of(std::string(kMinimal) + "checks:\n  - name: c\n    type: message-size\n    points: 1\n"
                                             "    payload: {min: 72, max: 64}\n"),
            "DIR/assignment.yaml:11:14: 'payload': need 0 <= min <= max");
  EXPECT_EQ(
      error_of(std::string(kMinimal) + "checks:\n  - name: c\n    type: type-filter\n    points: 1\n"
                                       "    msgtyp: mine\n"),
      "DIR/assignment.yaml:11:13: 'msgtyp' must be an integer, pid, ppid or any (or a list of them), not "
      "'mine'");
  EXPECT_EQ(
      error_of(std::string(kMinimal) + "checks:\n  - name: c\n    type: shm-usage\n    points: 1\n"
                                       "    per_violation: 1\n    shares: {remove: 2}\n"),
      "DIR/assignment.yaml:12:13: 'shares' and 'per_violation' are two ways of scoring: give one of them");
  EXPECT_EQ(error_of(std::string(kMinimal) + "checks:\n  - name: c\n    type: shm-usage\n    points: 1\n"
                                             "    shares: {remove: -1}\n"),
            "DIR/assignment.yaml:11:22: the share of 'remove' must be >= 0");
  EXPECT_EQ(error_of(std::string(kMinimal) + "hidden_points: some\n"),
            "DIR/assignment.yaml:7:16: 'hidden_points' must be a number >= 0, not 'some'");
  // The string form of `run` runs no shell: an operator would reach the program as an argument.
  EXPECT_EQ(
      error_of("assignment: demo\nscenarios:\n  - name: one\n    processes:\n"
               "      - {name: p, run: ./server & ./client}\n"),
      "DIR/assignment.yaml:5:24: 'run': '&' is a shell operator, but no shell runs this command; write it "
      "as run: [sh, -c, '...'] (or quote the character if the program should get it as an argument)");
  EXPECT_EQ(
      error_of("assignment: demo\nscenarios:\n  - name: one\n    processes:\n"
               "      - {name: p, run: \"./a | ./b\"}\n"),
      "DIR/assignment.yaml:5:24: 'run': '|' is a shell operator, but no shell runs this command; write it "
      "as run: [sh, -c, '...'] (or quote the character if the program should get it as an argument)");
  EXPECT_EQ(error_of("assignment: demo\nscenarios:\n  - name: one\n    processes:\n"
                     "      - {name: p, run: \"./client 'a & b' \\\\> c\"}\n"),
            "(no error)");
}

// A typo inside `limits:` is an error, in the assignment's limits and in a scenario's: `wal: 2s` would
// otherwise leave the default wall limit in place without a word.
TEST_F(ConfigTest, UnknownKeysInLimitsAreErrors) {
  EXPECT_EQ(
      error_of("assignment: demo\nlimits:\n  wal: 2s\nscenarios:\n  - name: one\n    processes:\n"
               "      - {name: p, run: ./p}\n"),
      "DIR/assignment.yaml:3:3: unknown key 'wal' (did you mean 'wall'?); expected one of: wall, cpu, "
      "memory, "
      "processes, output, file_size, open_files, disk, submission, trace_events, trace_bytes, orphan_grace, "
      "tracer");
  EXPECT_EQ(
      error_of("assignment: demo\nscenarios:\n  - name: one\n    limits: {memroy: 1MiB}\n    processes:\n"
               "      - {name: p, run: ./p}\n"),
      "DIR/assignment.yaml:4:14: unknown key 'memroy' (did you mean 'memory'?); expected one of: wall, cpu, "
      "memory, processes, output, file_size, open_files, disk, submission, trace_events, trace_bytes, "
      "orphan_grace, tracer");
  // `tracer:` takes auto, bpf or ptrace, and says so where it is wrong.
  EXPECT_EQ(error_of("assignment: demo\nlimits:\n  tracer: ebpf\nscenarios:\n  - name: one\n    processes:\n"
                     "      - {name: p, run: ./p}\n"),
            "DIR/assignment.yaml:3:11: 'tracer' must be auto, bpf or ptrace");
}

// A key given twice in one mapping is an error: a reader keeps one of the two, silently.
TEST_F(ConfigTest, AKeyGivenTwiceIsAnError) {
  EXPECT_EQ(error_of(std::string(kMinimal) +
                     "scenarios:\n  - name: other\n    processes:\n      - {name: q, run: ./q}\n"),
            "DIR/assignment.yaml:7:1: 'scenarios' is given twice in this mapping; keep one");
  EXPECT_EQ(
      error_of("assignment: demo\nlimits: {wall: 1s, wall: 9s}\nscenarios:\n  - name: one\n    processes:\n"
               "      - {name: p, run: ./p}\n"),
      "DIR/assignment.yaml:2:20: 'wall' is given twice in this mapping; keep one");
}

TEST_F(ConfigTest, MissingReferencedFile) {
  EXPECT_EQ(
      error_of("assignment: demo\nkeys:\n  roster: students.csv\nscenarios:\n  - name: one\n    processes:\n"
               "      - {name: p, run: ./p}\n"),
      "DIR/assignment.yaml:3:11: roster 'students.csv' does not exist (looked for DIR/students.csv)");
  EXPECT_EQ(error_of(std::string(kMinimal) + "        stdin_file: in.txt\n"),
            "DIR/assignment.yaml:7:21: stdin_file 'in.txt' does not exist (looked for DIR/in.txt)");
}

TEST_F(ConfigTest, DuplicateNames) {
  EXPECT_EQ(error_of(std::string(kMinimal) + "checks:\n  - {name: c, type: exit, points: 1}\n"
                                             "  - {name: c, type: exit, points: 2}\n"),
            "DIR/assignment.yaml:9:12: duplicate check name 'c'");
  EXPECT_EQ(error_of(std::string(kMinimal) + "  - name: one\n    processes: [{name: q, run: ./q}]\n"),
            "DIR/assignment.yaml:7:11: duplicate scenario name 'one'");
}

TEST_F(ConfigTest, BadDurationAndSize) {
  EXPECT_EQ(
      error_of("assignment: demo\nlimits:\n  wall: 10 seconds\nscenarios: []\n"),
      "DIR/assignment.yaml:3:9: wall limit '10 seconds' is not a duration; write it like 250ms, 10s or 2m");
  EXPECT_EQ(error_of("assignment: demo\nlimits:\n  memory: 256 megs\nscenarios: []\n"),
            "DIR/assignment.yaml:3:11: memory limit '256 megs' is not a size; write it like 64KiB or 256MiB");
  EXPECT_EQ(
      error_of(std::string(kMinimal) + "        ready: soon\n"),
      "DIR/assignment.yaml:7:16: ready 'soon' is not one of: ipc, exit, stdout REGEX, {path: NAME}, or a "
      "duration like 200ms");
  EXPECT_EQ(error_of(std::string(kMinimal) + "        ready: {file: x}\n"),
            "DIR/assignment.yaml:7:17: unknown key 'file'; expected one of: path");
  EXPECT_EQ(error_of(std::string(kMinimal) + "        ready: {path: ''}\n"),
            "DIR/assignment.yaml:7:23: 'ready: path' must not be empty");
}

TEST_F(ConfigTest, ReferencesMustExist) {
  EXPECT_EQ(
      error_of(std::string(kMinimal) + "checks:\n  - {name: c, type: exit, points: 1, scenarios: [two]}\n"),
      "DIR/assignment.yaml:8:50: no scenario is named 'two'");
  EXPECT_EQ(
      error_of(std::string(kMinimal) + "checks:\n  - {name: c, type: exit, points: 1, process: server}\n"),
      "DIR/assignment.yaml:8:47: no process is named 'server' in the scenarios this check covers");
}

TEST_F(ConfigTest, PlaceholdersAndQuotes) {
  EXPECT_EQ(error_of("assignment: demo\nscenarios:\n  - name: one\n    processes:\n      - name: p\n"
                     "        run: ./p {key1}\n"),
            "DIR/assignment.yaml:6:14: unknown placeholder {key1}; known: {key}, {key0}..{key0}, {key_hex}, "
            "{index}, {student}, {assignment}, {submission}");
  EXPECT_EQ(error_of("assignment: demo\nscenarios:\n  - name: one\n    processes:\n      - name: p\n"
                     "        run: ./p 'unclosed\n"),
            "DIR/assignment.yaml:6:14: 'run': unterminated single quote");
}

TEST_F(ConfigTest, AssignmentId) {
  EXPECT_EQ(
      error_of("assignment: Relay_1\nscenarios: []\n"),
      "DIR/assignment.yaml:1:13: assignment id 'Relay_1' may hold only lowercase letters, digits and '-'");
  EXPECT_EQ(error_of("title: x\nscenarios: []\n"), "DIR/assignment.yaml:1:1: missing 'assignment'");
}

TEST_F(ConfigTest, SampleAssignmentsAreValid) {
  for (const char* name : {"msgqueue-relay", "shm-exchange", "pipe-shout", "sem-bounded-buffer", "fifo-chat",
                           "posix-mq-relay", "race-lab"}) {
    SCOPED_TRACE(name);
    EXPECT_NO_THROW(load_assignment(fs::path(SOURCE_DIR) / "assignments" / name));
  }
}

TEST_F(ConfigTest, TheSandboxFieldsAreReadWithTheirDefaults) {
  fs::create_directories(dir_ / "data");
  std::ofstream(dir_ / "data" / "words.txt") << "alpha\n";
  const auto a = load_assignment(write(std::string(kMinimal) + R"(build:
  command: make
  limits: {memory: 2GiB, disk: 1GiB}
limits: {disk: 32MiB, submission: 1MiB}
files: [data/words.txt, data]
env: {OMP_NUM_THREADS: "1", GREETING: hello world}
)"));
  EXPECT_EQ(a.build->limits.memory, 2ULL << 30);
  EXPECT_EQ(a.build->limits.processes, 128);  // the default
  EXPECT_EQ(a.build->limits.disk, 1ULL << 30);
  EXPECT_EQ(a.limits.disk, 32ULL << 20);
  EXPECT_EQ(a.limits.submission, 1ULL << 20);
  EXPECT_EQ(a.files, (std::vector<std::string>{"data/words.txt", "data"}));
  ASSERT_EQ(a.env.size(), 2u);
  EXPECT_EQ(a.env[1], (std::pair<std::string, std::string>{"GREETING", "hello world"}));
  const auto d = load_assignment(write(kMinimal));
  EXPECT_EQ(d.limits.disk, 256ULL << 20);
  EXPECT_EQ(d.limits.submission, 64ULL << 20);
}

// `files:` items may say `private`: only the instructor's programs read a private file, and every file is
// private unless marked `private: false` (input for the student's programs).
TEST_F(ConfigTest, InstructorFilesArePrivateUnlessMarkedOtherwise) {
  fs::create_directories(dir_ / "tools");
  for (const char* f : {"tools/judge.sh", "tools/expected.txt", "tools/peer", "data.txt"})
    std::ofstream(dir_ / f) << "x\n";
  const auto a = load_assignment(write(R"(assignment: demo
files: [tools/judge.sh, {path: tools/expected.txt, private: true}, {path: ./tools/peer, private: false}, data.txt]
scenarios:
  - name: one
    processes:
      - {name: judge, run: sh ./tools/judge.sh}
      - {name: peer, run: ./tools/peer}
)"));
  EXPECT_EQ(a.files,
            (std::vector<std::string>{"tools/judge.sh", "tools/expected.txt", "tools/peer", "data.txt"}));
  EXPECT_EQ(a.private_files, (std::vector<std::string>{"tools/judge.sh", "tools/expected.txt", "data.txt"}));
  EXPECT_EQ(error_of(std::string(kMinimal) + "files: [{path: data.txt, private: maybe}]\n"),
            "DIR/assignment.yaml:7:35: 'private' must be true or false, not 'maybe'");
  EXPECT_EQ(error_of(std::string(kMinimal) + "files: [{private: true}]\n"),
            "DIR/assignment.yaml:7:9: an item of 'files' needs a 'path'");
  EXPECT_EQ(error_of(std::string(kMinimal) + "files: [{path: data.txt, secret: true}]\n"),
            "DIR/assignment.yaml:7:26: unknown key 'secret'; expected one of: path, private");
}

TEST_F(ConfigTest, SandboxFieldMistakesNameTheirPlace) {
  EXPECT_EQ(
      error_of(std::string(kMinimal) + "build:\n  command: make\n  limits: {memroy: 1GiB}\n"),
      "DIR/assignment.yaml:9:12: unknown key 'memroy' (did you mean 'memory'?); expected one of: memory, "
      "processes, disk");
  EXPECT_EQ(error_of(std::string(kMinimal) + "limits: {disk: lots}\n"),
            "DIR/assignment.yaml:7:16: disk limit 'lots' is not a size; write it like 64KiB or 256MiB");
  EXPECT_EQ(error_of(std::string(kMinimal) + "files: [../solution/server.c]\n"),
            "DIR/assignment.yaml:7:9: '../solution/server.c' must be a path inside the assignment folder "
            "(relative, no '..')");
  EXPECT_EQ(error_of(std::string(kMinimal) + "files: [missing.txt]\n"),
            "DIR/assignment.yaml:7:9: file 'missing.txt' does not exist (looked for DIR/missing.txt)");
  EXPECT_EQ(error_of(std::string(kMinimal) + "env: {1BAD: x}\n"),
            "DIR/assignment.yaml:7:7: '1BAD' is not an environment variable name");
}

TEST_F(ConfigTest, RunsAreReadAndCheckedWhereTheyAreWritten) {
  const std::string base =
      "assignment: relay\nscenarios:\n  - name: s\n    runs: 5\n    processes:\n"
      "      - {name: p, run: ./p}\n";
  EXPECT_EQ(error_of("assignment: relay\nscenarios:\n  - name: s\n    runs: 0\n    processes:\n"
                     "      - {name: p, run: ./p}\n"),
            "DIR/assignment.yaml:4:11: 'runs' must be a whole number from 1 to 100, not '0'");
  EXPECT_EQ(error_of(base + "checks:\n  - {name: c, type: exit, points: 1, runs: most}\n"),
            "DIR/assignment.yaml:8:44: 'runs' of a check must be all, majority or any, not 'most'");
  const auto a =
      load_assignment(write(base + "checks:\n  - {name: c, type: exit, points: 1, runs: majority}\n"));
  EXPECT_EQ(a.scenarios[0].runs, 5);
  EXPECT_EQ(a.checks[0].runs, ipcgrade::config::RunsRule::Majority);
}
