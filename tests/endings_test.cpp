// Endings: programs end the way a terminal would let them. A server that cleans up on Ctrl-C gets its
// SIGINT (`signals:`) or its stop signal and grace (`stop:`); a child still printing when its parent
// exits is given `orphan_grace`; cleanup the grader's own stop prevented is not charged; a crash is named
// with its signal, line and address; a semaphore's dead holder is named; `run` at a terminal waits for
// Ctrl-C. Each graded or run in both isolation modes, asserting score, status and wording.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <regex>

#include "tests/host_clean.hpp"
#include "tests/report_json.hpp"
#include "tests/run_cli.hpp"

using namespace ipcgrade::testing;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

class Endings : public HostCleanTest, public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override {
    HostCleanTest::SetUp();
    if (GetParam() == "namespaces" && !namespaces_available())
      GTEST_SKIP() << "this machine refuses namespaces";
  }

  json grade(const fs::path& assignment, const fs::path& submission, int expected_code) {
    last_ = run_ipcgrade(
        {"grade", assignment.string(), submission.string(), "--json", "--isolation", GetParam()});
    EXPECT_EQ(last_.code, expected_code) << last_.err << last_.out;
    try {
      return json::parse(last_.out);
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what() << "\n" << last_.out << last_.err;
      return json::object();
    }
  }

  // A submission holding one of the test programs, graded by an assignment written for the test.
  json grade_program(const std::string& program, const std::string& assignment_body, int expected_code) {
    const fs::path student = dir_.path() / "alice";
    fs::create_directories(student);
    fs::copy_file(fs::path(PROGRAMS_DIR) / program, student / program, fs::copy_options::overwrite_existing);
    dir_.write("assignment.yaml", "assignment: endings\n" + assignment_body);
    return grade(dir_.path() / "assignment.yaml", student, expected_code);
  }

  // `ipcgrade run --html PAGE -- PROGRAMS_DIR/<program>`; the page is html_.
  CliResult run(const std::string& program, int expected_code) {
    CliResult r =
        run_ipcgrade({"run", "--isolation", GetParam(), "--html", (dir_.path() / "run.html").string(), "--",
                      std::string(PROGRAMS_DIR) + "/" + program});
    html_ = read_whole(dir_.path() / "run.html");
    EXPECT_EQ(r.code, expected_code) << r.err;
    return r;
  }

  static void expect_matches(const std::string& text, const std::string& pattern) {
    EXPECT_TRUE(std::regex_search(text, std::regex(pattern))) << text << "\n  does not match\n" << pattern;
  }

  static const json& process_named(const json& scenario, const std::string& name) {
    for (const auto& p : scenario["processes"]) {
      if (p["name"] == name) return p;
    }
    static const json none;
    ADD_FAILURE() << "no process " << name;
    return none;
  }

  TempDir dir_;
  CliResult last_;
  std::string html_;
};

constexpr const char* kWords = "every client gets its own word back";
constexpr const char* kServed = "on Ctrl-C the server says how many clients it served";
constexpr const char* kExits = "every program exits with status 0, the server on Ctrl-C too";
constexpr const char* kRemoved = "the server removes the queue when it is interrupted";

}  // namespace

TEST_P(Endings, AServerThatCleansUpOnCtrlCGetsFullMarksWithASignalsStep) {
  const json r = grade(sample("ctrl-c-relay"), sample("ctrl-c-relay/solution"), 0);
  EXPECT_EQ(r["score"], 100);
  EXPECT_TRUE(failed_checks(r).empty()) << r.dump(2);
  const json& s = r["scenarios"][0];
  EXPECT_EQ(s["outcome"], "completed");
  EXPECT_TRUE(s["leftovers"].empty()) << s["leftovers"];
  const json& server = process_named(s, "server");
  EXPECT_EQ(server["stdout"], "ready\nserved 2 clients\n");  // what its handler's path printed
  EXPECT_EQ(server["exit"], 0);
  EXPECT_EQ(server["sent_signal"], "SIGINT");
  EXPECT_FALSE(server.contains("killed_by_grader"));
}

TEST_P(Endings, AServerWithoutAHandlerIsChargedForWhatCtrlCLeft) {
  const json r = grade(sample("ctrl-c-relay"), sample("ctrl-c-relay/variants/no-handler"), 1);
  EXPECT_EQ(failed_checks(r), (std::set<std::string>{kServed, kExits, kRemoved}));
  EXPECT_EQ(r["score"], 40);
  expect_matches(
      check_named(r, kExits)["evidence"][0]["detail"].get<std::string>(),
      "^server #0 \\(pid \\d+\\) was ended by SIGINT, which the scenario sent it \\(signals:\\), without "
      "handling it: catch SIGINT, clean up and exit with code 0$");
  const json& left = check_named(r, kRemoved);
  EXPECT_EQ(left["score"], 0);
  expect_matches(
      left["evidence"][0]["detail"].get<std::string>(),
      "^message queue key 0x[0-9a-f]{8} \\(id \\d+, mode 0600, 0 message\\(s\\) still queued\\) was left "
      "behind and has been removed by the grader");
}

TEST_P(Endings, AStopSignalAloneGivesTheHandlerItsGraceAndJudgesWhatItLeft) {
  // The same server without `signals:`: the watchdog finds it waiting for clients that have gone, and
  // stops it with its `stop:` signal, SIGINT; its handler removes the queue and prints its last line.
  std::string body = read_whole(sample("ctrl-c-relay/assignment.yaml"));
  body = std::regex_replace(body, std::regex("    signals:\n.*\n"), "");
  ASSERT_EQ(body.find("signals:"), std::string::npos);
  dir_.write("assignment.yaml", body);
  fs::copy(sample("ctrl-c-relay/solution"), dir_.path() / "good");
  const json r = grade(dir_.path() / "assignment.yaml", dir_.path() / "good", 1);
  EXPECT_EQ(failed_checks(r), (std::set<std::string>{kExits}));
  EXPECT_EQ(r["score"], 80);
  const json& s = r["scenarios"][0];
  EXPECT_EQ(s["outcome"], "deadlock");
  EXPECT_TRUE(s["leftovers"].empty()) << s["leftovers"];
  EXPECT_EQ(process_named(s, "server")["stdout"], "ready\nserved 2 clients\n");
  EXPECT_EQ(process_named(s, "server")["exit"], 0);
  expect_matches(
      check_named(r, kExits)["evidence"][0]["detail"].get<std::string>(),
      "^server #0 \\(pid \\d+\\) was stopped in a deadlock: server \\(pid \\d+\\) is blocked in msgrcv.* "
      "It exited with code 0 in its grace\\.$");
  // The server without a handler dies of the SIGINT the assignment stops it with: the grace was its chance
  // to remove the queue, and the queue is charged.
  fs::copy(sample("ctrl-c-relay/variants/no-handler"), dir_.path() / "bad");
  const json bad = grade(dir_.path() / "assignment.yaml", dir_.path() / "bad", 1);
  EXPECT_EQ(check_named(bad, kRemoved)["status"], "failed");
  EXPECT_EQ(bad["scenarios"][0]["leftovers"][0].value("cleanup_stopped", false), false);
}

TEST_P(Endings, AProgramThatBlocksItsStopSignalIsJudgedOnWhatItLeft) {
  // It makes a queue and waits for ever with SIGINT and SIGTERM blocked. Given a `stop:` of its own, the
  // grace was its chance and the queue is charged; with the default stop it is not (see exit).
  for (const bool given : {true, false}) {
    SCOPED_TRACE(given ? "stop: given" : "default stop");
    const json r = grade_program("blocks_stop",
                                 std::string(R"(scenarios:
  - name: blocked
    processes:
      - {name: server, run: ./blocks_stop)") +
                                     (given ? ", stop: {signal: SIGINT, grace: 200ms}" : "") + R"(}
checks:
  - {name: exits, type: exit, points: 10}
  - {name: nothing left, type: no-leftovers, points: 10}
)",
                                 1);
    EXPECT_EQ(r["scenarios"][0]["outcome"], "deadlock");
    EXPECT_EQ(r["score"], given ? 0 : 10);
    EXPECT_EQ(check_named(r, "nothing left")["status"], given ? "failed" : "passed");
    EXPECT_EQ(r["scenarios"][0]["processes"][0]["signal"], SIGKILL);  // it outlived its grace
  }
}

TEST_P(Endings, AMakerThatEndedByItselfIsJudgedWhenAnotherHolderIsStopped) {
  const json r = grade_program("queue_pair", R"(scenarios:
  - name: pair
    processes:
      - {name: maker, run: "./queue_pair make {key}", ready: exit}
      - {name: taker, run: "./queue_pair take {key}"}
checks:
  - {name: nothing left, type: no-leftovers, points: 10}
)",
                               1);
  EXPECT_EQ(r["scenarios"][0]["outcome"], "deadlock");
  const json& left = check_named(r, "nothing left");
  EXPECT_EQ(left["status"], "failed");
  expect_matches(left["evidence"][0]["detail"].get<std::string>(), "was left behind.*also opened by taker");
}

TEST_P(Endings, SignalStepsFireWhenAProcessIsReadyOrAfterATime) {
  // A program that waits for SIGINT in pause(): without the step it would be a deadlock at once.
  for (const std::string after : {"{ready: waiter}", "400ms"}) {
    SCOPED_TRACE(after);
    const json r = grade_program("sigint_pause",
                                 R"(scenarios:
  - name: wait
    processes:
      - {name: waiter, run: ./sigint_pause, ready: stdout ^waiting$}
      - {name: after, run: [sh, -c, "true"]}  # started once the waiter is ready: the gate reads its line first
    signals:
      - {to: waiter, signal: SIGINT, after: )" +
                                     after + R"(}
checks:
  - {name: exits, type: exit, process: waiter, points: 10}
  - {name: nothing left, type: no-leftovers, points: 10}
)",
                                 0);
    const json& s = r["scenarios"][0];
    EXPECT_EQ(s["outcome"], "completed") << s["outcome_detail"];
    EXPECT_EQ(s["processes"][0]["stdout"], "waiting\ncleaned up\n");
    EXPECT_EQ(s["processes"][0]["sent_signal"], "SIGINT");
    if (after == "400ms") {
      EXPECT_GE(s["seconds"].get<double>(), 0.4);
    }
  }
}

TEST_P(Endings, AChildStillPrintingWhenItsParentExitsKeepsItsOutputAndTheParentIsNamed) {
  const json good = grade(sample("pipe-upper"), sample("pipe-upper/solution"), 0);
  EXPECT_EQ(good["score"], 100);
  const json r = grade(sample("pipe-upper"), sample("pipe-upper/variants/parent-does-not-wait"), 1);
  EXPECT_EQ(r["score"], 80);
  EXPECT_EQ(failed_checks(r), (std::set<std::string>{"the parent waits for its child"}));
  EXPECT_EQ(r["scenarios"][0]["processes"][0]["stdout"], "HELLO PIPE\n");
  EXPECT_FALSE(r["scenarios"][0].contains("survivors")) << r["scenarios"][0];
  const std::string named =
      "[Uu]pper #0 \\(pid \\d+\\) exited before its child \\(pid \\d+\\) ended: call wait\\(\\) \\(or "
      "waitpid\\(\\)\\) "
      "for each child before exiting";
  expect_matches(check_named(r, "every process exits with status 0")["feedback"].get<std::string>(),
                 "^Every process exited with code 0\\. " + named);
  expect_matches(check_named(r, "the parent waits for its child")["evidence"][0]["detail"].get<std::string>(),
                 "^" + named + "$");
}

TEST_P(Endings, AParentThatNeverWaitsIsNamedEvenWhenItsChildEndedFirst) {
  // The child ends at once and the parent exits 50 ms later: nobody collected the child.
  const json r = grade_program("no_wait", R"(scenarios:
  - name: parent
    processes:
      - {name: parent, run: ./no_wait}
checks:
  - {name: exits, type: exit, points: 10}
  - {name: waits, type: exit, reap: true, points: 10}
)",
                               1);
  EXPECT_EQ(failed_checks(r), (std::set<std::string>{"waits"}));
  expect_matches(
      check_named(r, "waits")["evidence"][0]["detail"].get<std::string>(),
      "^parent #0 \\(pid \\d+\\) exited without waiting for its child \\(pid \\d+\\), which had ended: "
      "call wait\\(\\) \\(or waitpid\\(\\)\\) for each child before exiting$");
}

TEST_P(Endings, RunKeepsTheOutputOfAChildThatOutlivesItsParent) {
  // As at a terminal: the child prints 20 ms after its parent (and the shell) have exited.
  const CliResult r = run_ipcgrade({"run", "--isolation", GetParam(), "--", "sh", "-c",
                                    "echo 'hello pipe' | " + std::string(PROGRAMS_DIR) + "/orphan_upper"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "HELLO PIPE\n");
  EXPECT_EQ(r.err.find("still running"), std::string::npos) << r.err;
}

TEST_P(Endings, CleanupTheGradersStopPreventedIsNotChargedUnlessTheCheckAsks) {
  const json r = grade_program("stuck_cleanup", R"(limits: {wall: 5s}
scenarios:
  - name: stuck
    processes:
      - {name: stuck, run: ./stuck_cleanup}
checks:
  - {name: exits, type: exit, points: 10}
  - {name: nothing left, type: no-leftovers, points: 10}
  - {name: sets removed, type: sem-usage, initialized: false, points: 10}
  - {name: nothing left after all, type: no-leftovers, judge_after_stop: true, points: 10}
  - {name: sets removed after all, type: sem-usage, initialized: false, judge_after_stop: true, points: 10}
)",
                               1);
  EXPECT_EQ(r["scenarios"][0]["outcome"], "deadlock");
  // The set left by the stop is charged once, by the first check that judges it after the stop.
  EXPECT_EQ(failed_checks(r), (std::set<std::string>{"exits", "nothing left after all"}));
  EXPECT_EQ(r["score"], 30);
  const std::string note =
      "[Ss]emaphore set key IPC_PRIVATE \\(id \\d+\\): not judged: the run was stopped \\(deadlock\\) before "
      "it could "
      "clean up — see exit";
  const json& left = check_named(r, "nothing left");
  EXPECT_EQ(left["status"], "passed");
  EXPECT_EQ(left["score"], 10);
  expect_matches(
      left["feedback"].get<std::string>(),
      "^Not judged: the run was stopped before it could clean up \\(1 object\\(s\\) left\\) — see exit\\. "
      "Semaphore set key IPC_PRIVATE \\(id \\d+\\) was left in 'stuck' when the run was stopped "
      "\\(deadlock\\), "
      "and the grader removed it\\.$");
  const json& sets = check_named(r, "sets removed");
  EXPECT_EQ(sets["status"], "passed");
  expect_matches(sets["feedback"].get<std::string>(), note);
  expect_matches(
      check_named(r, "nothing left after all")["evidence"].at(0)["detail"].get<std::string>(),
      "^semaphore set key IPC_PRIVATE \\(id \\d+, mode 0600, 1 semaphore\\(s\\)\\) was left behind");
  expect_matches(
      check_named(r, "sets removed after all")["feedback"].get<std::string>(),
      "Semaphore set key IPC_PRIVATE \\(id \\d+\\) was never removed: charged by 'nothing left after "
      "all'\\.$");
  EXPECT_EQ(r["scenarios"][0]["leftovers"][0]["cleanup_stopped"], true);
}

TEST_P(Endings, ACrashIsNamedWithItsSignalLineAndAddress) {
  const json r = grade_program("crash_null", R"(scenarios:
  - name: crash
    processes:
      - {name: client, run: ./crash_null}
checks:
  - {name: exits, type: exit, points: 10}
)",
                               1);
  const std::string crash = "SIGSEGV at crash_null.c:6 \\(address 0x0\\)";
  expect_matches(check_named(r, "exits")["evidence"][0]["detail"].get<std::string>(),
                 "^client #0 \\(pid \\d+\\) crashed: " + crash + "$");
  const json& p = r["scenarios"][0]["processes"][0];
  EXPECT_EQ(p["signal"], SIGSEGV);
  EXPECT_EQ(p["crash"]["signal"], "SIGSEGV");
  EXPECT_EQ(p["crash"]["at"], "crash_null.c:6");
  EXPECT_EQ(p["crash"]["address"], "0x0");
  const CliResult ran = run("crash_null", 128 + SIGSEGV);
  expect_matches(ran.err, "==ipcgrade== crash_null \\(pid \\d+\\) crashed: " + crash + "\n");
  // The chart's lifeline ends where it crashed.
  EXPECT_NE(html_.find("crashed: SIGSEGV at crash_null.c:6"), std::string::npos);
}

TEST_P(Endings, AFaultCaughtByItsHandlerIsNoCrashAndALaterKillIsAKill) {
  const CliResult r = run("caught_fault", 0);
  EXPECT_EQ(r.err.find("crashed"), std::string::npos) << r.err;
}

TEST_P(Endings, ADeadlockOnASemaphoreNamesTheHolderThatDied) {
  const CliResult r = run("dead_holder", 1);
  const std::string holder =
      "dead_holder \\(pid \\d+\\) was killed by SIGKILL holding semaphore 0 of set key IPC_PRIVATE \\(id "
      "\\d+\\) "
      "\\(P at dead_holder\\.c:16 without V; no SEM_UNDO, so the kernel did not give it back — with SEM_UNDO "
      "it "
      "would have\\)";
  expect_matches(r.err,
                 "the program did not finish: deadlock \\(.*waits in semop to take 1 from semaphore 0.*; " +
                     holder + "\\.\\)");
  // The workers stopped with the deadlock are the run's, stopped with it: not survivors as well.
  EXPECT_EQ(r.err.find("still running"), std::string::npos) << r.err;
  // The chart ends the holder's lifeline with what it still held.
  EXPECT_NE(html_.find("killed by SIGKILL, holds P(0)"), std::string::npos);
  // Named once, however many workers wait on it.
  EXPECT_EQ(r.err.find("was killed by SIGKILL holding"), r.err.rfind("was killed by SIGKILL holding"))
      << r.err;
}

TEST_P(Endings, ProcessesThatTookFromCountingSemaphoresHoldNothing) {
  // The bounded buffer's producer takes empty slots and its consumer full ones, and both end normally:
  // neither holds a lock, and the chart says nothing of holding.
  const fs::path page = dir_.path() / "page.html";
  last_ = run_ipcgrade({"grade", sample("sem-bounded-buffer").string(),
                        sample("sem-bounded-buffer/solution").string(), "--isolation", GetParam(), "--html",
                        page.string()});
  EXPECT_EQ(last_.code, 0) << last_.err << last_.out;
  EXPECT_EQ(read_whole(page).find("holds P("), std::string::npos);
}

TEST_P(Endings, RunAtATerminalWaitsForCtrlCAndTheHandlerCleansUp) {
  // In pause(), in sigwait(), and in pause() with a worker child that waits too.
  for (const std::string how : {"pause", "sigwait", "worker"}) {
    SCOPED_TRACE(how);
    bool sent = false;
    std::chrono::steady_clock::time_point asked{};
    const TerminalResult t = run_in_terminal(
        {"run", "--isolation", GetParam(), "--", std::string(PROGRAMS_DIR) + "/sigint_pause", how},
        std::chrono::seconds(30), [&](const std::string& screen, int terminal) {
          if (sent || screen.find("press Ctrl-C") == std::string::npos) return;
          const auto now = std::chrono::steady_clock::now();
          if (asked == std::chrono::steady_clock::time_point{}) asked = now;
          // A second after it said so, the program still waits: the grader did not take it for
          // a deadlock.
          if (now - asked < std::chrono::seconds(1)) return;
          EXPECT_EQ(screen.find("the program did not finish"), std::string::npos) << screen;
          ASSERT_EQ(::write(terminal, "\x03", 1), 1);
          sent = true;
        });
    const std::string& screen = t.screen;
    ASSERT_FALSE(t.killed) << "run did not end in 30 s:\n" << screen;
    EXPECT_TRUE(sent) << screen;
    ASSERT_TRUE(WIFEXITED(t.status)) << screen;
    EXPECT_EQ(WEXITSTATUS(t.status), 0) << screen;
    expect_matches(screen, "==ipcgrade== sigint_pause \\(pid \\d+\\) waits for a signal: press Ctrl-C\r?\n");
    EXPECT_EQ(screen.find("press Ctrl-C"), screen.rfind("press Ctrl-C")) << "said more than once:\n"
                                                                         << screen;
    EXPECT_NE(screen.find("cleaned up"), std::string::npos) << screen;
    EXPECT_NE(screen.find("no IPC objects were left behind"), std::string::npos) << screen;
    EXPECT_EQ(screen.find("deadlock"), std::string::npos) << screen;
    EXPECT_EQ(screen.find("still running"), std::string::npos) << screen;
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, Endings, ::testing::Values("namespaces", "tracked"),
                         [](const auto& p) { return p.param; });
