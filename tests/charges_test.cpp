// One mistake costs once: evidence grouped by call site across processes, scenarios and calls, with
// `per_violation` counting sites; and a fact two checks judge (an object never removed) charged by the
// first of them in the file only. Score, status, feedback and evidence for each.
#include <gtest/gtest.h>

#include "grader/report/render.hpp"
#include "tests/check_fixtures.hpp"

using namespace ipcgrade;
using namespace ipcgrade::testing;

namespace {

trace::Event msgsnd(long pid, const std::string& process, const std::string& msgsz, const std::string& at) {
  auto e =
      call(pid, process, "msgsnd", {{"msqid", "0"}, {"mtype", "1"}, {"msgsz", msgsz}, {"msgflg", "0"}}, 0);
  e.at = at;
  return e;
}

std::vector<report::CheckResult> all(const config::Assignment& a,
                                     const std::vector<run::ScenarioResult>& runs) {
  build::BuildResult ok;
  ok.status = build::BuildStatus::Ok;
  return score::score_checks(a, runs, ok, {0x5000});
}

// The set a producer made at producer.c:12, given a value and never removed: in the trace, and left
// behind at the end.
run::ScenarioResult set_never_removed() {
  auto e =
      call(1000, "server", "semget", {{"key", "0x00005000"}, {"nsems", "1"}, {"flags", "IPC_CREAT|0600"}}, 3);
  e.at = "server.c:12";
  auto setval =
      call(1000, "server", "semctl", {{"semid", "3"}, {"semnum", "0"}, {"cmd", "SETVAL"}, {"value", "1"}}, 0);
  auto op = call(1001, "client", "semop",
                 {{"semid", "3"}, {"sops", "[{sem_num=0, sem_op=-1, sem_flg=0}]"}, {"nsops", "1"}}, 0);
  auto run = with_trace({e, setval, op});
  run::Leftover left;
  left.kind = trace::IpcKind::SemSet;
  left.key = 0x5000;
  left.id = 3;
  left.mode = 0600;
  left.messages = 1;
  left.creator = "server (pid 1000)";
  left.creator_process = "server";
  left.creator_pid = 1000;
  left.call = "semget(0x00005000, 1, IPC_CREAT|0600) = 3";
  left.at = "server.c:12";
  left.reclaimed = true;
  run.leftovers = {left};
  return run;
}

}  // namespace

TEST(EvidenceBySite, OneLineWrongInEveryProcessAndScenarioIsOnePieceAndOneViolation) {
  const auto a =
      assignment_with("  - {name: sizes, type: message-size, payload: 64, per_violation: 5, points: 15}\n");
  auto relay =
      with_trace({msgsnd(1001, "client", "72", "client.c:18"), msgsnd(1002, "client", "72", "client.c:18")});
  auto secret = with_trace({msgsnd(1005, "client", "72", "client.c:18")});
  secret.name = "secret";
  const auto r = only(a, {relay, secret});
  EXPECT_EQ(r.status, checks::Status::Failed);
  EXPECT_EQ(r.score, 10);  // one call site: one violation of 5 points, not three
  ASSERT_EQ(r.evidence.size(), 1u);
  EXPECT_EQ(r.evidence[0].at, "client.c:18");
  EXPECT_EQ(r.evidence[0].pid, 1001);
  EXPECT_EQ(r.evidence[0].detail,
            "msgsz 72 counts the long mtype; the payload is 64 bytes (× 3 processes, 2 scenarios)");
  EXPECT_EQ(
      r.feedback,
      "client (pid 1001): msgsnd(0, {mtype=1, ...}, 72, 0) = 0 — msgsz 72 counts the long mtype; the payload "
      "is 64 bytes (× 3 processes, 2 scenarios). msgsz is the size of the struct minus sizeof(long), "
      "padding included: write sizeof(struct msg) - sizeof(long)");
  // The report file says how many it stands for.
  report::Report report;
  report.checks = {r};
  const auto j = report::to_json(report);
  EXPECT_EQ(j["checks"][0]["evidence"][0]["repeats"].dump(),
            R"({"calls":3,"processes":3,"scenarios":2,"runs":1})");
}

TEST(EvidenceBySite, ALoopIsOneSiteAndTwoLinesAreTwo) {
  const auto a =
      assignment_with("  - {name: sizes, type: message-size, payload: 64, per_violation: 4, points: 15}\n");
  std::vector<trace::Event> events;
  for (int i = 0; i < 200; ++i) events.push_back(msgsnd(1001, "client", "72", "client.c:18"));
  events.push_back(msgsnd(1002, "client", "100", "client.c:25"));
  const auto r = only(a, {with_trace(events)});
  EXPECT_EQ(r.score, 7);  // 15 - 2 sites × 4
  ASSERT_EQ(r.evidence.size(), 2u);
  EXPECT_EQ(r.evidence[0].detail, "msgsz 72 counts the long mtype; the payload is 64 bytes (× 200 calls)");
  EXPECT_EQ(r.evidence[1].detail, "msgsz 100 is not the payload size (64 bytes)");
  EXPECT_NE(r.feedback.find("(× 200 calls)"), std::string::npos) << r.feedback;
  EXPECT_NE(r.feedback.find("(2 call sites in all; see the evidence)"), std::string::npos) << r.feedback;
}

TEST(EvidenceBySite, WithoutLineNumbersOnlyTheSameCallWithTheSameArgumentsIsGrouped) {
  const auto a = assignment_with("  - {name: sizes, type: message-size, payload: 64, points: 15}\n");
  const auto r = only(a, {with_trace({msgsnd(1001, "client", "72", ""), msgsnd(1002, "client", "72", ""),
                                      msgsnd(1002, "client", "80", "")})});
  ASSERT_EQ(r.evidence.size(), 2u);
  EXPECT_EQ(r.evidence[0].detail, "msgsz 72 counts the long mtype; the payload is 64 bytes (× 2 processes)");
  EXPECT_EQ(r.evidence[1].detail, "msgsz 80 is not the payload size (64 bytes)");
}

TEST(OneFactOneCharge, ASetNeverRemovedIsChargedByTheFirstCheckOnly) {
  const auto a = assignment_with(
      "  - {name: nothing is left behind, type: no-leftovers, points: 10}\n"
      "  - {name: semaphores used right, type: sem-usage, points: 15}\n");
  const auto results = all(a, {set_never_removed()});
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].status, checks::Status::Failed);
  EXPECT_EQ(results[0].score, 0);
  ASSERT_EQ(results[0].evidence.size(), 1u);
  EXPECT_EQ(results[0].evidence[0].at, "server.c:12");
  EXPECT_EQ(results[1].status, checks::Status::Passed);
  EXPECT_EQ(results[1].score, 15);
  EXPECT_TRUE(results[1].evidence.empty());
  EXPECT_EQ(
      results[1].feedback,
      "Nothing to charge here: what this check found was charged by an earlier check. Semaphore set key "
      "0x00005000 (id 3) was never removed: charged by 'nothing is left behind'.");
}

TEST(OneFactOneCharge, TheOrderOfTheFileDecidesWhichCheckCharges) {
  const auto a = assignment_with(
      "  - {name: semaphores used right, type: sem-usage, points: 15}\n"
      "  - {name: nothing is left behind, type: no-leftovers, points: 10}\n");
  const auto results = all(a, {set_never_removed()});
  EXPECT_EQ(results[0].status, checks::Status::Failed);
  EXPECT_EQ(results[0].score, 0);
  ASSERT_EQ(results[0].evidence.size(), 1u);
  EXPECT_EQ(results[0].evidence[0].detail,
            "semaphore set key 0x00005000 (id 3) was never removed: it outlives the programs and holds its "
            "semaphores' values for the next run");
  EXPECT_EQ(results[1].status, checks::Status::Passed);
  EXPECT_EQ(results[1].score, 10);
  EXPECT_EQ(
      results[1].feedback,
      "Nothing to charge here: what this check found was charged by an earlier check. Semaphore set key "
      "0x00005000 (id 3) was left behind: charged by 'semaphores used right'.");
}

TEST(OneFactOneCharge, AShareChargedElsewhereIsNotLostWhileTheOthersStillCount) {
  const auto a = assignment_with(
      "  - {name: clean, type: no-leftovers, points: 10}\n"
      "  - {name: sems, type: sem-usage, undo: true, shares: {initialized: 1, undo: 1, remove: 2}, points: "
      "16}\n");
  const auto results = all(a, {set_never_removed()});
  EXPECT_EQ(results[0].score, 0);
  // The wait without SEM_UNDO costs its share (1 of 4); the removal, charged by 'clean', costs nothing.
  EXPECT_EQ(results[1].status, checks::Status::Failed);
  EXPECT_EQ(results[1].score, 12);
  ASSERT_EQ(results[1].evidence.size(), 1u);
  EXPECT_NE(results[1].evidence[0].detail.find("without SEM_UNDO"), std::string::npos);
  EXPECT_NE(
      results[1].feedback.find("Semaphore set key 0x00005000 (id 3) was never removed: charged by 'clean'."),
      std::string::npos)
      << results[1].feedback;
}

TEST(OneFactOneCharge, ChecksOfOtherKindsOfObjectChargeTheirOwn) {
  // shm-usage judges segments: a semaphore set left behind is not its fact, and it passes on its own.
  const auto a = assignment_with(
      "  - {name: clean, type: no-leftovers, points: 10}\n"
      "  - {name: shm, type: shm-usage, optional: true, points: 5}\n");
  const auto results = all(a, {set_never_removed()});
  EXPECT_EQ(results[0].score, 0);
  EXPECT_EQ(results[1].score, 5);
  EXPECT_EQ(results[1].feedback.find("charged by"), std::string::npos) << results[1].feedback;
}
