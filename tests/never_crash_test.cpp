// The grader never crashes on what a submission controls: output matched against patterns (RE2, linear
// time, no recursion), debug information, floods of objects, file names. Each crash once found is a test.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "tests/host_clean.hpp"
#include "tests/report_json.hpp"
#include "tests/run_cli.hpp"

using namespace ipcgrade::testing;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

class NeverCrash : public HostCleanTest {
 protected:
  json grade(const std::string& body, int expected_code) {
    dir_.write("assignment.yaml", "assignment: never-crash\n" + body);
    fs::create_directories(dir_.path() / "alice");
    last_ = run_ipcgrade({"grade", dir_.path().string(), (dir_.path() / "alice").string(), "--json"});
    EXPECT_EQ(last_.code, expected_code) << last_.err << last_.out;
    try {
      return json::parse(last_.out);
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what() << "\n" << last_.err;
      return json::object();
    }
  }
  TempDir dir_;
  CliResult last_;
};

}  // namespace

// msgqueue-relay's own pattern against a server that prints 60,000 digits, `[\s\S]*` against 60 KB, and
// `ready: stdout` against a 60 KB line: with std::regex each recursed once per character and the grader
// died of SIGSEGV (exit 139, no report).
TEST_F(NeverCrash, PatternsOnLongOutputNeitherCrashNorStall) {
  const json r = grade(R"(limits: {wall: 5s}
scenarios:
  - name: digits
    processes:
      - name: server
        run: [sh, -c, "printf 'ready\\nserved '; head -c 60000 /dev/zero | tr '\\0' 7; printf ' clients\\n'"]
      - name: liner
        run: [sh, -c, "head -c 60000 /dev/zero | tr '\\0' x; echo; echo go"]
        ready: "stdout ^go$"
      - {name: after, run: [sh, -c, "echo done"]}
checks:
  - name: the server reports how many clients it served
    type: output
    process: server
    stdout: {matches: "^ready\nserved [0-9]+ clients\n$"}
    points: 10
  - name: anything after an x
    type: output
    process: liner
    stdout: {matches: "x[\\s\\S]*"}
    points: 10
  - name: lines of a and a newline
    type: output
    process: liner
    stdout: {matches: "(a\n)+"}
    points: 10
)",
                       1);
  EXPECT_EQ(r["score"], 20);
  EXPECT_EQ(check_named(r, "the server reports how many clients it served")["status"], "passed");
  EXPECT_EQ(check_named(r, "anything after an x")["status"], "passed");
  EXPECT_EQ(check_named(r, "lines of a and a newline")["status"], "failed");
  // The liner's `ready` fired on its last line: the process after it ran.
  EXPECT_EQ(r["scenarios"][0]["processes"][2]["stdout"], "done\n");
  EXPECT_LT(last_.seconds, 10.0);
}

TEST_F(NeverCrash, APatternRe2RefusesIsNamedWithItsPlace) {
  dir_.write("assignment.yaml", R"(assignment: never-crash
scenarios:
  - name: s
    processes:
      - {name: p, run: [sh, -c, "echo hi"]}
checks:
  - {name: c, type: output, stdout: {matches: "(ab"}, points: 1}
)");
  const CliResult r = run_ipcgrade({"validate", dir_.path().string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("assignment.yaml:7:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("'(ab' is not a valid regular expression: missing ): (ab (at character 1)"),
            std::string::npos)
      << r.err;
}

namespace {

std::set<std::string> scratch_folders() {
  std::set<std::string> out;
  const char* tmp = std::getenv("TMPDIR");
  for (const auto& e : fs::directory_iterator(tmp && *tmp ? tmp : "/tmp")) {
    const std::string name = e.path().filename().string();
    if (name.rfind("ipcgrade-", 0) == 0 && e.is_directory() && name.rfind("ipcgrade-test-", 0) != 0)
      out.insert(name);
  }
  return out;
}

}  // namespace

// The grading process dies mid-grade (a test hook makes it: after its scratch copy and build, before the
// scenarios): the command still writes the report with `internal_fault`, Gradescope's results.json and
// JUnit with the reason, removes the scratch folder, and exits 3.
TEST_F(NeverCrash, AGradingThatDiesStillLeavesItsReportAndNoScratch) {
  struct Fault {
    const char* hook;
    const char* why;
  };
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer reports the SIGSEGV and then aborts (scripts/test.sh --sanitize).
  constexpr const char* kSegv = "the grading process was killed by signal 6 (Aborted)";
#else
  constexpr const char* kSegv = "the grading process was killed by signal 11 (Segmentation fault)";
#endif
  for (const Fault f :
       {Fault{"segv", kSegv}, Fault{"abort", "the grading process was killed by signal 6 (Aborted)"},
        Fault{"bad_alloc", "the grading process failed with an internal error (see above)"}}) {
    SCOPED_TRACE(f.hook);
    const auto before = scratch_folders();
    TempDir out;
    ::setenv("IPCGRADE_TEST_FAULT", f.hook, 1);
    const CliResult r = run_ipcgrade(
        {"grade", sample("pipe-upper").string(), sample("pipe-upper/solution").string(), "--report",
         (out.path() / "report.yaml").string(), "--gradescope", (out.path() / "results.json").string(),
         "--junit", (out.path() / "junit.xml").string()});
    ::unsetenv("IPCGRADE_TEST_FAULT");
    EXPECT_EQ(r.code, 3) << r.err;
    EXPECT_NE(r.err.find("ipcgrade: internal error: " + std::string(f.why)), std::string::npos) << r.err;
    const std::string report = read_whole(out.path() / "report.yaml");
    EXPECT_NE(report.find("internal_fault: " + std::string(f.why)), std::string::npos) << report;
    EXPECT_NE(report.find("score: 0"), std::string::npos) << report;
    const json gradescope = json::parse(read_whole(out.path() / "results.json"));
    EXPECT_EQ(gradescope["score"], 0);
    // Markdown: its punctuation escaped.
    std::string shown = gradescope["output"].get<std::string>();
    std::erase(shown, '\\');
    EXPECT_NE(shown.find(f.why), std::string::npos) << shown;
    EXPECT_EQ(gradescope["tests"].size(), 3u);
    const std::string junit = read_whole(out.path() / "junit.xml");
    EXPECT_NE(junit.find("<error message=\"the grader failed: " + std::string(f.why)), std::string::npos)
        << junit;
    EXPECT_EQ(scratch_folders(), before) << "the failed grading left its scratch folder";
  }
}

// Debug information is the submission's own: a program whose .debug_info nests 400,000 lexical blocks
// (written here in assembly, as a compiler never would) killed the scenario's supervisor with SIGSEGV
// while it looked for message structs, recursing once per level.
TEST_F(NeverCrash, DebugInformationNestedFourHundredThousandDeepIsWalkedWithoutCrashing) {
  const fs::path student = dir_.path() / "alice";
  fs::create_directories(student);
  dir_.write("deep.s", R"(	.section .note.GNU-stack,"",@progbits
	.section .debug_abbrev,"",@progbits
.Labbrev:
	.uleb128 1
	.uleb128 0x11
	.byte 1
	.uleb128 0x13
	.uleb128 0x0b
	.byte 0, 0
	.uleb128 2
	.uleb128 0x0b
	.byte 1
	.byte 0, 0
	.byte 0
	.section .debug_info,"",@progbits
	.long .Lend - .Lstart
.Lstart:
	.value 4
	.long .Labbrev
	.byte 8
	.uleb128 1
	.byte 0x0c
	.rept 400000
	.uleb128 2
	.endr
	.rept 400001
	.byte 0
	.endr
.Lend:
)");
  dir_.write("main.c", R"(#include <sys/ipc.h>
#include <sys/msg.h>
int main(void) {
  int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
  msgctl(q, IPC_RMID, 0);
  return 0;
}
)");
  const std::string cc = "cc -o " + (student / "deep").string() + " " + (dir_.path() / "main.c").string() +
                         " " + (dir_.path() / "deep.s").string();
  ASSERT_EQ(std::system(cc.c_str()), 0) << cc;
  const json r = grade(R"(scenarios:
  - name: deep
    processes:
      - {name: deep, run: ./deep}
checks:
  - {name: exits, type: exit, points: 1}
  - {name: nothing left, type: no-leftovers, points: 1}
)",
                       0);
  EXPECT_EQ(r["scenarios"][0]["outcome"], "completed") << r["scenarios"][0]["outcome_detail"];
  EXPECT_EQ(r["score"], 2);
}

// A student folder named like one of the class's own files used to be graded, and then the class's
// gradebook could not be written (exit 3). It is refused before anything is graded, saying why.
TEST_F(NeverCrash, AStudentFolderNamedLikeAClassFileIsRefusedBeforeGrading) {
  for (const std::string name : {"gradebook.csv", "summary.md", "index.html"}) {
    SCOPED_TRACE(name);
    TempDir klass;
    fs::create_directories(klass.path() / "submissions" / "alice");
    fs::create_directories(klass.path() / "submissions" / name);
    const CliResult r =
        run_ipcgrade({"batch", sample("pipe-upper").string(), (klass.path() / "submissions").string(),
                      "--out", (klass.path() / "out").string()});
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_NE(r.err.find("a student folder named '" + name + "' would take the place of the class's own " +
                         name + " in --out; rename it"),
              std::string::npos)
        << r.err;
    EXPECT_FALSE(fs::exists(klass.path() / "out" / "alice" / "report.yaml"));
  }
}

// A student id is a folder's name, and a folder's name can hold any bytes: the report (JSON, YAML,
// Gradescope) carries them as U+FFFD instead of failing to write (found by the report fuzz target).
TEST_F(NeverCrash, AStudentNameThatIsNotUtf8StillGetsItsReport) {
  TempDir out;
  const CliResult r =
      run_ipcgrade({"grade", sample("pipe-upper").string(), sample("pipe-upper/solution").string(),
                    "--student", "al\xff\xfeice", "--json", "--report", (out.path() / "r.yaml").string(),
                    "--gradescope", (out.path() / "g.json").string()});
  EXPECT_EQ(r.code, 0) << r.err;
  const json report = json::parse(r.out);
  EXPECT_EQ(report["student"], "al\xEF\xBF\xBD\xEF\xBF\xBDice");
  EXPECT_EQ(report["score"], 100);
  EXPECT_FALSE(json::parse(read_whole(out.path() / "g.json"), nullptr, false).is_discarded());
  EXPECT_NE(read_whole(out.path() / "r.yaml").find("score: 100"), std::string::npos);
}

// A run that leaves 30,000 queues, 10,000 FIFOs and 10,000 POSIX objects: the audit finishes (the
// attribution of each leftover looked it up in the whole trace: 47 s), every list in every report is cut
// with its total, and no report file of the student reaches 2 MB (they were 19 MB, 16 MB and 11 MB).
TEST_F(NeverCrash, AFloodOfObjectsIsAuditedInTimeAndReportedSmall) {
  const fs::path student = dir_.path() / "alice";
  fs::create_directories(student);
  fs::copy_file(fs::path(PROGRAMS_DIR) / "flood_objects", student / "flood_objects");
  dir_.write("assignment.yaml", R"(assignment: never-crash
limits: {wall: 60s}
scenarios:
  - name: flood
    processes:
      - {name: flood, run: ./flood_objects 30000 10000 10000}
checks:
  - {name: nothing left, type: no-leftovers, points: 1}
  - {name: fifos removed, type: fifo-usage, points: 1}
)");
  TempDir out;
  const CliResult r = run_ipcgrade(
      {"grade", dir_.path().string(), student.string(), "--report", (out.path() / "report.yaml").string(),
       "--html", (out.path() / "report.html").string(), "--gradescope",
       (out.path() / "results.json").string(), "--junit", (out.path() / "junit.xml").string(), "--json"});
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_LT(r.seconds, 40.0);
  const json report = json::parse(r.out);
  const json& s = report["scenarios"][0];
  EXPECT_EQ(s["outcome"], "completed") << s["outcome_detail"];
  EXPECT_EQ(s["leftovers"].size(), 100u);
  EXPECT_EQ(s["leftovers_total"], 50000);
  EXPECT_EQ(s["leftovers_more"], 49900);
  // One piece of evidence per line that made them, counting the objects it stands for.
  const json& evidence = check_named(report, "nothing left")["evidence"];
  EXPECT_LE(evidence.size(), 3u) << evidence;
  long objects = 0;
  for (const auto& e : evidence) objects += e.contains("repeats") ? e["repeats"]["calls"].get<long>() : 1;
  EXPECT_EQ(objects, 50000);
  for (const char* file : {"report.yaml", "report.html", "results.json", "junit.xml"}) {
    EXPECT_LT(fs::file_size(out.path() / file), 2u << 20) << file;
  }
  EXPECT_LT(r.out.size(), 2u << 20);
}
