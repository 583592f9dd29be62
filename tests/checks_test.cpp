// The checks of the foundation, judged on hand-made run results: score, status, feedback and evidence.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "grader/config/assignment.hpp"
#include "grader/score/score.hpp"

namespace fs = std::filesystem;
using namespace ipcgrade;

namespace {

// An assignment with one scenario ("relay": a server and two clients) and the given checks.
config::Assignment assignment_with(const std::string& checks) {
  const fs::path dir = fs::temp_directory_path() / ("ipcgrade-checks-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "assignment.yaml") << "assignment: relay\nscenarios:\n  - name: relay\n    processes:\n"
                                            "      - {name: server, run: ./server}\n"
                                            "      - {name: client, run: ./client, count: 2}\n"
                                            "  - name: secret\n    visibility: hidden\n    processes:\n"
                                            "      - {name: server, run: ./server}\n"
                                         << "checks:\n"
                                         << checks;
  auto a = config::load_assignment(dir);
  fs::remove_all(dir);
  return a;
}

run::ProcessResult process(const std::string& name, int index, long pid, std::optional<int> exit,
                           const std::string& out) {
  run::ProcessResult p;
  p.name = name;
  p.index = index;
  p.pid = pid;
  p.started = true;
  p.exit_code = exit;
  p.stdout_text = out;
  return p;
}

run::ScenarioResult relay_run() {
  run::ScenarioResult s;
  s.name = "relay";
  s.processes = {process("server", 0, 1000, 0, "served 2\n"), process("client", 0, 1001, 0, "WORD0\n"),
                 process("client", 1, 1002, 0, "WORD1\n")};
  return s;
}

report::CheckResult only(const config::Assignment& a, const std::vector<run::ScenarioResult>& runs) {
  build::BuildResult ok;
  ok.status = "ok";
  auto results = score::score_checks(a, runs, ok);
  EXPECT_EQ(results.size(), 1u);
  return results.at(0);
}

}  // namespace

TEST(OutputCheck, PassesWhenEveryProcessMatches) {
  const auto a = assignment_with(
      "  - {name: words, type: output, scenarios: [relay], process: client, stdout: {matches: "
      "\"^WORD[0-9]\\n$\"}, "
      "points: 20}\n");
  const auto r = only(a, {relay_run()});
  EXPECT_EQ(r.status, "passed");
  EXPECT_EQ(r.score, 20);
  EXPECT_EQ(r.max_score, 20);
  EXPECT_EQ(r.visibility, "visible");
  EXPECT_TRUE(r.evidence.empty());
}

TEST(OutputCheck, FailsNamingTheProcessAndWhatItPrinted) {
  const auto a = assignment_with(
      "  - {name: words, type: output, scenarios: [relay], process: client, stdout: {equals: \"WORD0\\n\"}, "
      "points: 20}\n");
  const auto r = only(a, {relay_run()});
  EXPECT_EQ(r.status, "failed");
  EXPECT_EQ(r.score, 0);
  ASSERT_EQ(r.evidence.size(), 1u);
  EXPECT_EQ(r.evidence[0].scenario, "relay");
  EXPECT_EQ(r.evidence[0].process, "client");
  EXPECT_EQ(r.evidence[0].pid, 1002);
  EXPECT_EQ(r.evidence[0].detail,
            "client #1 (pid 1002) printed \"WORD1\\n\" on stdout; expected it to be exactly \"WORD0\\n\"");
  EXPECT_EQ(r.feedback, r.evidence[0].detail);
}

TEST(OutputCheck, ContainsStderrAndExit) {
  auto run = relay_run();
  run.processes[0].stderr_text = "warning: slow\n";
  run.processes[0].exit_code = 3;
  const auto a = assignment_with(
      "  - {name: err, type: output, scenarios: [relay], process: server, stderr: {contains: slow}, exit: 0, "
      "points: 5}\n");
  const auto r = only(a, {run});
  EXPECT_EQ(r.status, "failed");
  EXPECT_EQ(r.evidence.at(0).detail, "server #0 (pid 1000) exited with code 3; expected 0");
}

TEST(OutputCheck, AProgramThatCouldNotStartFails) {
  auto run = relay_run();
  run.processes[1].started = false;
  run.processes[1].pid = 0;
  run.processes[1].start_error = "./client: No such file or directory";
  const auto a = assignment_with(
      "  - {name: words, type: output, scenarios: [relay], process: client, stdout: {contains: WORD}, "
      "points: 20}\n");
  const auto r = only(a, {run});
  EXPECT_EQ(r.status, "failed");
  EXPECT_EQ(r.evidence.at(0).detail, "client #0 could not be started: ./client: No such file or directory");
}

TEST(ExitCheck, SignalsTimeoutsAndCodes) {
  auto run = relay_run();
  run.processes[1].exit_code.reset();
  run.processes[1].signal = 11;
  run.processes[2].exit_code = 1;
  const auto a = assignment_with("  - {name: exits, type: exit, scenarios: [relay], points: 10}\n");
  const auto r = only(a, {run});
  EXPECT_EQ(r.status, "failed");
  EXPECT_EQ(r.score, 0);
  ASSERT_EQ(r.evidence.size(), 2u);
  EXPECT_EQ(r.evidence[0].detail,
            "client #0 (pid 1001) was killed by signal 11 (Segmentation fault); it must exit with code 0");
  EXPECT_EQ(r.evidence[1].detail, "client #1 (pid 1002) exited with code 1; expected 0");
  EXPECT_EQ(r.feedback, r.evidence[0].detail + " (2 failures in all; see the evidence)");

  auto timed_out = relay_run();
  timed_out.outcome = run::Outcome::Timeout;
  timed_out.outcome_detail = "wall limit 2s";
  timed_out.processes[0].exit_code.reset();
  timed_out.processes[0].signal = 9;
  timed_out.processes[0].killed_by_grader = true;
  const auto t = only(a, {timed_out});
  EXPECT_EQ(t.evidence.at(0).detail,
            "server #0 (pid 1000) was still running at the wall limit 2s and was killed");
}

TEST(ExitCheck, ExpectedNonZeroCode) {
  auto run = relay_run();
  for (auto& p : run.processes) p.exit_code = 2;
  const auto a = assignment_with("  - {name: usage, type: exit, code: 2, scenarios: [relay], points: 4}\n");
  const auto r = only(a, {run});
  EXPECT_EQ(r.status, "passed");
  EXPECT_EQ(r.score, 4);
  EXPECT_EQ(r.feedback, "Every process exited with code 2.");
}

TEST(NoLeftoversCheck, EveryLeftoverIsEvidenceAndPerObjectDeducts) {
  auto run = relay_run();
  run::Leftover q;
  q.kind = "msg";
  q.key = 0x5000;
  q.mode = 0600;
  q.messages = 2;
  q.reclaimed = true;
  run::Leftover shm;
  shm.kind = "shm";
  shm.key = 0x5001;
  shm.id = 3;
  shm.mode = 0666;
  shm.bytes = 4096;
  shm.creator = "server (pid 1000)";
  shm.creator_pid = 1000;
  shm.reclaimed = true;
  run.leftovers = {q, shm};
  const auto a = assignment_with("  - {name: clean, type: no-leftovers, per_object: 3, points: 10}\n");
  const auto r = only(a, {run});
  EXPECT_EQ(r.status, "failed");
  EXPECT_EQ(r.score, 4);              // 10 - 2 x 3
  EXPECT_EQ(r.visibility, "hidden");  // it covers the hidden scenario too
  ASSERT_EQ(r.evidence.size(), 2u);
  EXPECT_EQ(
      r.evidence[0].detail,
      "message queue key 0x00005000 (id 0, mode 0600, 2 message(s) still queued) was left behind and has "
      "been removed by the grader");
  EXPECT_EQ(r.evidence[1].process, "server (pid 1000)");
  EXPECT_EQ(
      r.evidence[1].detail,
      "shared memory segment key 0x00005001 (id 3, mode 0666, 4096 bytes, 0 attached) was left behind and "
      "has been removed by the grader");
  EXPECT_EQ(
      r.feedback,
      "1 message queue and 1 shared memory segment were left behind after the programs exited; remove each "
      "with msgctl(id, IPC_RMID, NULL) once it is no longer needed.");
}

TEST(NoLeftoversCheck, DeductionsStopAtZeroAndCleanRunsPass) {
  auto run = relay_run();
  run::Leftover sem;
  sem.kind = "sem";
  sem.messages = 1;
  run.leftovers = {sem, sem, sem};
  const auto a = assignment_with("  - {name: clean, type: no-leftovers, per_object: 4, points: 10}\n");
  EXPECT_EQ(only(a, {run}).score, 0);
  const auto clean = only(a, {relay_run()});
  EXPECT_EQ(clean.status, "passed");
  EXPECT_EQ(clean.score, 10);
  EXPECT_EQ(clean.feedback, "Every IPC object the run created was removed.");
}

TEST(TraceChecks, ReportedAsNotCheckedAndCountForNeither) {
  const auto a = assignment_with("  - {name: sizes, type: message-size, payload: 72, points: 15}\n");
  const auto r = only(a, {relay_run()});
  EXPECT_EQ(r.status, "not-checked");
  EXPECT_EQ(r.score, 0);
  EXPECT_EQ(r.max_score, 0);
}

TEST(Scoring, AFailedBuildScoresZeroEverywhere) {
  const auto a = assignment_with(
      "  - {name: exits, type: exit, points: 10}\n  - {name: clean, type: no-leftovers, points: 5}\n");
  build::BuildResult failed;
  failed.status = "failed";
  const auto results = score::score_checks(a, {}, failed);
  ASSERT_EQ(results.size(), 2u);
  for (const auto& r : results) {
    EXPECT_EQ(r.status, "failed");
    EXPECT_EQ(r.score, 0);
    EXPECT_EQ(r.feedback,
              "The submission did not build, so nothing could be run; see the build log for the compiler's "
              "messages.");
  }
  report::Report rep;
  rep.checks = results;
  score::total(rep);
  EXPECT_EQ(rep.score, 0);
  EXPECT_EQ(rep.max_score, 15);
}
