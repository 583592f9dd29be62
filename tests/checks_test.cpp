// The checks of the foundation, judged on hand-made run results: score, status, feedback and evidence.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <tuple>

#include <fmt/format.h>

#include "checks/make_checks.hpp"
#include "grader/config/assignment.hpp"
#include "grader/run/trace_file.hpp"
#include "grader/runner/attribute_leftovers.hpp"
#include "grader/score/score.hpp"
#include "grader/trace/event_json.hpp"
#include "tests/check_fixtures.hpp"

namespace fs = std::filesystem;
using namespace ipcgrade;
using namespace ipcgrade::testing;

TEST(OutputCheck, PassesWhenEveryProcessMatches) {
  const auto a = assignment_with(
      "  - {name: words, type: output, scenarios: [relay], process: client, stdout: {matches: "
      "\"^WORD[0-9]\\n$\"}, "
      "points: 20}\n");
  const auto r = only(a, {relay_run()});
  EXPECT_EQ(r.status, checks::Status::Passed);
  EXPECT_EQ(r.score, 20);
  EXPECT_EQ(r.max_score, 20);
  EXPECT_EQ(r.visibility, config::Visibility::Visible);
  EXPECT_TRUE(r.evidence.empty());
}

TEST(OutputCheck, FailsNamingTheProcessAndWhatItPrinted) {
  const auto a = assignment_with(
      "  - {name: words, type: output, scenarios: [relay], process: client, stdout: {equals: \"WORD0\\n\"}, "
      "points: 20}\n");
  const auto r = only(a, {relay_run()});
  EXPECT_EQ(r.status, checks::Status::Failed);
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
  EXPECT_EQ(r.status, checks::Status::Failed);
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
  EXPECT_EQ(r.status, checks::Status::Failed);
  EXPECT_EQ(r.evidence.at(0).detail, "client #0 could not be started: ./client: No such file or directory");
}

TEST(ExitCheck, SignalsTimeoutsAndCodes) {
  auto run = relay_run();
  run.processes[1].exit_code.reset();
  run.processes[1].signal = 11;
  run.processes[2].exit_code = 1;
  const auto a = assignment_with("  - {name: exits, type: exit, scenarios: [relay], points: 10}\n");
  const auto r = only(a, {run});
  EXPECT_EQ(r.status, checks::Status::Failed);
  EXPECT_EQ(r.score, 0);
  ASSERT_EQ(r.evidence.size(), 2u);
  EXPECT_EQ(r.evidence[0].detail,
            "client #0 (pid 1001) was killed by SIGSEGV (Segmentation fault); it must exit with code 0");
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
  EXPECT_EQ(r.status, checks::Status::Passed);
  EXPECT_EQ(r.score, 4);
  EXPECT_EQ(r.feedback, "Every process exited with code 2.");
}

TEST(NoLeftoversCheck, EveryLeftoverIsEvidenceAndPerObjectDeducts) {
  auto run = relay_run();
  run::Leftover q;
  q.kind = trace::IpcKind::MsgQueue;
  q.key = 0x5000;
  q.mode = 0600;
  q.messages = 2;
  q.reclaimed = true;
  run::Leftover shm;
  shm.kind = trace::IpcKind::ShmSegment;
  shm.key = 0x5001;
  shm.id = 3;
  shm.mode = 0666;
  shm.bytes = 4096;
  shm.creator = "server (pid 1000)";
  shm.creator_process = "server";
  shm.call = "shmget(0x00005001, 4096, IPC_CREAT|0666) = 3";
  shm.creator_pid = 1000;
  shm.reclaimed = true;
  run.leftovers = {q, shm};
  const auto a = assignment_with("  - {name: clean, type: no-leftovers, per_object: 3, points: 10}\n");
  const auto r = only(a, {run});
  EXPECT_EQ(r.status, checks::Status::Failed);
  EXPECT_EQ(r.score, 4);                                // 10 - 2 x 3
  EXPECT_EQ(r.visibility, config::Visibility::Hidden);  // it covers the hidden scenario too
  ASSERT_EQ(r.evidence.size(), 2u);
  EXPECT_EQ(
      r.evidence[0].detail,
      "message queue key 0x00005000 (id 0, mode 0600, 2 message(s) still queued) was left behind and has "
      "been removed by the grader");
  EXPECT_EQ(r.evidence[1].process, "server");
  EXPECT_EQ(r.evidence[1].pid, 1000);
  EXPECT_EQ(r.evidence[1].call, "shmget(0x00005001, 4096, IPC_CREAT|0666) = 3");
  EXPECT_EQ(
      r.evidence[1].detail,
      "shared memory segment key 0x00005001 (id 3, mode 0666, 4096 bytes, 0 attached) was left behind and "
      "has been removed by the grader");
  EXPECT_EQ(r.feedback,
            "1 message queue and 1 shared memory segment were left behind after the programs exited; remove "
            "message "
            "queues with msgctl(id, IPC_RMID, NULL) and shared memory segments with shmctl(id, IPC_RMID, "
            "NULL) once "
            "each is no longer needed.");
}

TEST(NoLeftoversCheck, DeductionsStopAtZeroAndCleanRunsPass) {
  auto run = relay_run();
  run::Leftover sem;
  sem.kind = trace::IpcKind::SemSet;
  sem.messages = 1;
  run.leftovers = {sem, sem, sem};
  const auto a = assignment_with("  - {name: clean, type: no-leftovers, per_object: 4, points: 10}\n");
  EXPECT_EQ(only(a, {run}).score, 0);
  const auto clean = only(a, {relay_run()});
  EXPECT_EQ(clean.status, checks::Status::Passed);
  EXPECT_EQ(clean.score, 10);
  EXPECT_EQ(clean.feedback, "Every IPC object the run created was removed.");
}

TEST(Scoring, AFailedBuildScoresZeroEverywhere) {
  const auto a = assignment_with(
      "  - {name: exits, type: exit, points: 10}\n  - {name: clean, type: no-leftovers, points: 5}\n");
  build::BuildResult failed;
  failed.status = build::BuildStatus::Failed;
  const auto results = score::score_checks(a, {}, failed, {0x5000});
  ASSERT_EQ(results.size(), 2u);
  for (const auto& r : results) {
    EXPECT_EQ(r.status, checks::Status::Failed);
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

// ---- checks judged from the trace, on hand-made traces ----

TEST(MessageSizeCheck, ThePayloadPasses) {
  const auto a = assignment_with("  - {name: sizes, type: message-size, payload: 72, points: 15}\n");
  const auto r = only(
      a,
      {with_trace({
          call(1001, "client", "msgsnd", {{"msqid", "0"}, {"mtype", "1"}, {"msgsz", "72"}, {"msgflg", "0"}}),
          call(1000, "server", "msgrcv", {{"msqid", "0"}, {"msgsz", "72"}, {"msgtyp", "1"}, {"msgflg", "0"}}),
          // IPC_NOWAIT with nothing queued: still the right size.
          call(1000, "server", "msgrcv",
               {{"msqid", "0"}, {"msgsz", "72"}, {"msgtyp", "2"}, {"msgflg", "IPC_NOWAIT"}}, -1, ENOMSG),
      })});
  EXPECT_EQ(r.status, checks::Status::Passed);
  EXPECT_EQ(r.score, 15);
  EXPECT_EQ(r.feedback,
            "Every msgsnd and msgrcv passed the payload size, and every message had a positive type.");
}

TEST(MessageSizeCheck, TheWholeStructIsNamedAsSuch) {
  const auto a =
      assignment_with("  - {name: sizes, type: message-size, payload: {min: 64, max: 72}, points: 15}\n");
  const auto r = only(
      a,
      {with_trace({
          call(1001, "client", "msgsnd", {{"msqid", "0"}, {"mtype", "1"}, {"msgsz", "80"}, {"msgflg", "0"}}),
          call(1000, "server", "msgrcv",
               {{"msqid", "0"}, {"msgsz", "100"}, {"msgtyp", "1"}, {"msgflg", "0"}}),
      })});
  EXPECT_EQ(r.status, checks::Status::Failed);
  EXPECT_EQ(r.score, 0);
  ASSERT_EQ(r.evidence.size(), 2u);
  EXPECT_EQ(r.evidence[0].call, "msgsnd(0, {mtype=1, ...}, 80, 0)");
  EXPECT_EQ(r.evidence[0].process, "client");
  EXPECT_EQ(r.evidence[0].pid, 1001);
  EXPECT_EQ(r.evidence[0].detail, "msgsz 80 counts the long mtype; the payload is 64 to 72 bytes");
  EXPECT_EQ(r.evidence[1].detail, "msgsz 100 is not the payload size (64 to 72 bytes)");
  EXPECT_EQ(r.feedback,
            "client (pid 1001): msgsnd(0, {mtype=1, ...}, 80, 0) — msgsz 80 counts the long mtype; the "
            "payload is 64 "
            "to 72 bytes. msgsz is the size of the struct minus sizeof(long), padding included: write "
            "sizeof(struct msg) - sizeof(long) (2 call sites in all; see the evidence)");
}

TEST(MessageSizeCheck, MtypeZeroFailsEvenThoughTheKernelRefusedIt) {
  const auto a =
      assignment_with("  - {name: sizes, type: message-size, payload: 72, per_violation: 5, points: 15}\n");
  auto send = call(1001, "client", "msgsnd",
                   {{"msqid", "0"}, {"mtype", "0"}, {"msgsz", "72"}, {"msgflg", "0"}}, -1, EINVAL);
  const auto r = only(a, {with_trace({send})});
  EXPECT_EQ(r.status, checks::Status::Failed);
  EXPECT_EQ(r.score, 10);  // per_violation 5
  EXPECT_EQ(r.evidence.at(0).call, "msgsnd(0, {mtype=0, ...}, 72, 0) = -1 EINVAL");
  EXPECT_EQ(r.evidence.at(0).detail,
            "mtype 0 — every message needs a type > 0 (the kernel refuses it with EINVAL)");
}

TEST(MessageSizeCheck, ToolsTheSubmissionRunsAreNotJudged) {
  const auto a = assignment_with("  - {name: sizes, type: message-size, payload: 72, points: 15}\n");
  auto tool =
      call(1003, "client", "msgsnd", {{"msqid", "0"}, {"mtype", "1"}, {"msgsz", "4"}, {"msgflg", "0"}});
  tool.judged = false;
  // The submission's own message is judged (a run with the tool's alone would have nothing to judge).
  const auto own =
      call(1001, "client", "msgsnd", {{"msqid", "0"}, {"mtype", "1"}, {"msgsz", "72"}, {"msgflg", "0"}});
  EXPECT_EQ(only(a, {with_trace({own, tool})}).status, checks::Status::Passed);
}

TEST(AssignedKeyCheck, OwnKeysPassOthersAndPrivateFail) {
  const auto a = assignment_with("  - {name: keys, type: assigned-key, points: 10}\n");
  EXPECT_EQ(
      only(a, {with_trace({call(1000, "server", "msgget",
                                {{"key", "0x00005000"}, {"flags", "IPC_CREAT|0600"}, {"mode", "0600"}}, 0)})})
          .status,
      checks::Status::Passed);
  const auto r = only(
      a,
      {with_trace({
          call(1000, "server", "msgget",
               {{"key", "0x00001234"}, {"flags", "IPC_CREAT|0600"}, {"mode", "0600"}}, 0),
          call(1001, "client", "shmget",
               {{"key", "IPC_PRIVATE"}, {"size", "4096"}, {"flags", "IPC_CREAT|0600"}, {"mode", "0600"}}, 3),
      })});
  EXPECT_EQ(r.status, checks::Status::Failed);
  ASSERT_EQ(r.evidence.size(), 2u);
  EXPECT_EQ(r.evidence[0].call, "msgget(0x00001234, IPC_CREAT|0600) = 0");
  EXPECT_EQ(r.evidence[0].detail, "key 0x00001234 is not one of your keys (0x00005000)");
  EXPECT_EQ(r.evidence[1].detail, "IPC_PRIVATE makes a new object that no other program can find by key");
  const auto allowed =
      assignment_with("  - {name: keys, type: assigned-key, allow_private: true, points: 10}\n");
  EXPECT_EQ(
      only(allowed, {with_trace({call(
                        1001, "client", "shmget",
                        {{"key", "IPC_PRIVATE"}, {"size", "1"}, {"flags", "0600"}, {"mode", "0600"}}, 3)})})
          .status,
      checks::Status::Passed);
}

TEST(PermissionsCheck, OnlyCreatingCallsAreJudged) {
  const auto a = assignment_with("  - {name: modes, type: permissions, allow: [0600, 0660], points: 5}\n");
  const auto r = only(
      a, {with_trace({
             call(1000, "server", "msgget",
                  {{"key", "0x00005000"}, {"flags", "IPC_CREAT|IPC_EXCL|0777"}, {"mode", "0777"}}, 0),
             call(1001, "client", "msgget", {{"key", "0x00005000"}, {"flags", "0000"}, {"mode", "0000"}}, 0),
         })});
  EXPECT_EQ(r.status, checks::Status::Failed);
  ASSERT_EQ(r.evidence.size(), 1u);
  EXPECT_EQ(r.evidence[0].call, "msgget(0x00005000, IPC_CREAT|IPC_EXCL|0777) = 0");
  EXPECT_EQ(r.evidence[0].detail,
            "mode 0777 is not allowed (allowed: 0600, 0660); execute bits mean nothing for IPC objects; any "
            "user on "
            "the machine could write to it");
}

// Every bit counts: a mode that differs from an allowed one only in the others' bits (0604: anyone may
// read the queue) is not allowed.
TEST(PermissionsCheck, TheOthersBitsCount) {
  const auto a = assignment_with("  - {name: modes, type: permissions, allow: [0600], points: 5}\n");
  const auto r = only(
      a, {with_trace({call(1000, "server", "msgget",
                           {{"key", "0x00005000"}, {"flags", "IPC_CREAT|0604"}, {"mode", "0604"}}, 0)})});
  EXPECT_EQ(r.status, checks::Status::Failed);
  EXPECT_EQ(r.score, 0);
  ASSERT_EQ(r.evidence.size(), 1u);
  EXPECT_EQ(r.evidence[0].detail, "mode 0604 is not allowed (allowed: 0600)");
}

TEST(TypeFilterCheck, PidMeansTheReceiversOwnPid) {
  const auto a =
      assignment_with("  - {name: types, type: type-filter, process: client, msgtyp: pid, points: 10}\n");
  EXPECT_EQ(
      only(a, {with_trace({call(1001, "client", "msgrcv",
                                {{"msqid", "0"}, {"msgsz", "64"}, {"msgtyp", "1001"}, {"msgflg", "0"}})})})
          .status,
      checks::Status::Passed);
  const auto r = only(
      a,
      {with_trace({
          call(1001, "client", "msgrcv", {{"msqid", "0"}, {"msgsz", "64"}, {"msgtyp", "0"}, {"msgflg", "0"}}),
          // The server's receive is not selected by `process: client`.
          call(1000, "server", "msgrcv", {{"msqid", "0"}, {"msgsz", "64"}, {"msgtyp", "1"}, {"msgflg", "0"}}),
      })});
  EXPECT_EQ(r.status, checks::Status::Failed);
  ASSERT_EQ(r.evidence.size(), 1u);
  EXPECT_EQ(r.evidence[0].detail,
            "msgtyp 0 — it must receive type 1001 (its own pid); with 0 it takes whatever message is first, "
            "even one "
            "meant for another process");
}

TEST(TypeFilterCheck, PpidComesFromTheSpawnEvent) {
  const auto a = assignment_with("  - {name: types, type: type-filter, msgtyp: ppid, points: 10}\n");
  trace::Event spawn;
  spawn.kind = trace::EventKind::Spawn;
  spawn.pid = 1005;
  spawn.parent = 1000;
  spawn.process = "server";
  const auto ok = only(
      a, {with_trace({spawn, call(1005, "server", "msgrcv",
                                  {{"msqid", "0"}, {"msgsz", "8"}, {"msgtyp", "1000"}, {"msgflg", "0"}})})});
  EXPECT_EQ(ok.status, checks::Status::Passed);
  const auto any = assignment_with("  - {name: types, type: type-filter, msgtyp: any, points: 10}\n");
  EXPECT_EQ(
      only(any, {with_trace({call(1005, "server", "msgrcv",
                                  {{"msqid", "0"}, {"msgsz", "8"}, {"msgtyp", "1000"}, {"msgflg", "0"}})})})
          .evidence.at(0)
          .detail,
      "msgtyp 1000 — it must receive any type (msgtyp 0)");
}

TEST(ShmUsageCheck, AttachingAnotherProcesssSegmentAndCleaningUpPasses) {
  const auto a =
      assignment_with("  - {name: shm, type: shm-usage, size: {min: 4096, max: 4096}, points: 10}\n");
  const auto r = only(
      a,
      {with_trace({
          call(1000, "server", "shmget",
               {{"key", "0x00005000"}, {"size", "4096"}, {"flags", "IPC_CREAT|0600"}, {"mode", "0600"}}, 7),
          call(1001, "client", "shmget",
               {{"key", "0x00005000"}, {"size", "0"}, {"flags", "0000"}, {"mode", "0000"}}, 7),
          call(
              1001, "client", "shmat",
              {{"shmid", "7"}, {"shmaddr", "NULL"}, {"shmflg", "SHM_RDONLY"}, {"address", "0x7f0000001000"}}),
          call(1001, "client", "shmdt", {{"shmaddr", "0x7f0000001000"}}),
          call(1001, "client", "shmctl", {{"shmid", "7"}, {"cmd", "IPC_RMID"}}),
      })});
  EXPECT_EQ(r.status, checks::Status::Passed);
  EXPECT_EQ(r.score, 10);
}

TEST(ShmUsageCheck, MissingShmdtRmidAndWrongSizeAreEachNamed) {
  const auto a = assignment_with("  - {name: shm, type: shm-usage, size: 4096, points: 10}\n");
  const auto r = only(
      a, {with_trace({
             call(1000, "server", "shmget",
                  {{"key", "0x00005000"}, {"size", "100"}, {"flags", "IPC_CREAT|0600"}, {"mode", "0600"}}, 7),
             call(1000, "server", "shmat",
                  {{"shmid", "7"}, {"shmaddr", "NULL"}, {"shmflg", "0"}, {"address", "0x7f0000001000"}}),
             ended(1000, "server", "0"),
         })});
  EXPECT_EQ(r.status, checks::Status::Failed);
  EXPECT_EQ(r.score, 0);  // every aspect failed
  ASSERT_EQ(r.evidence.size(), 3u);
  EXPECT_EQ(r.evidence[0].detail, "the segment should be 4096 bytes");
  EXPECT_EQ(r.evidence[1].call, "shmat(7, NULL, 0) = 0x7f0000001000");
  EXPECT_EQ(
      r.evidence[1].detail,
      "0x7f0000001000 was never detached: the process exited while attached; call shmdt(0x7f0000001000) "
      "when done with it");
  EXPECT_EQ(r.evidence[2].detail,
            "segment 7 was never removed: call shmctl(7, IPC_RMID, NULL) when it is no longer needed");
  const auto lenient =
      assignment_with("  - {name: shm, type: shm-usage, detach: false, remove: false, points: 10}\n");
  EXPECT_EQ(
      only(lenient,
           {with_trace(
               {call(1000, "server", "shmget",
                     {{"key", "0x00005000"}, {"size", "4096"}, {"flags", "IPC_CREAT|0600"}, {"mode", "0600"}},
                     7),
                call(1000, "server", "shmat",
                     {{"shmid", "7"}, {"shmaddr", "NULL"}, {"shmflg", "0"}, {"address", "0x1000"}})})})
          .status,
      checks::Status::Passed);
}

namespace {
// A segment made, attached and removed by the server (id 7 at 0x7f0000001000), as the events begin.
std::vector<trace::Event> server_attaches() {
  return {call(1000, "server", "shmget",
               {{"key", "0x00005000"}, {"size", "4096"}, {"flags", "IPC_CREAT|0600"}, {"mode", "0600"}}, 7),
          call(1000, "server", "shmat",
               {{"shmid", "7"}, {"shmaddr", "NULL"}, {"shmflg", "0"}, {"address", "0x7f0000001000"}})};
}
std::vector<trace::Event> server_detaches_removes_and_exits() {
  return {call(1000, "server", "shmdt", {{"shmaddr", "0x7f0000001000"}}),
          call(1000, "server", "shmctl", {{"shmid", "7"}, {"cmd", "IPC_RMID"}}), ended(1000, "server", "0")};
}
std::vector<trace::Event> join(std::vector<trace::Event> a, const std::vector<trace::Event>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}
}  // namespace

// fork copies every attachment: the child holds one of its own, and exiting with it fails `detach` (and
// only that aspect's share of the points).
TEST(ShmUsageCheck, AForkedChildMustDetachWhatItInherited) {
  const auto a = assignment_with("  - {name: shm, type: shm-usage, points: 10}\n");
  auto events = server_attaches();
  events.push_back(spawned(1005, 1000, "server"));
  events.push_back(ended(1005, "server", "0"));
  const auto r = only(a, {with_trace(join(events, server_detaches_removes_and_exits()))});
  EXPECT_EQ(r.status, checks::Status::Failed);
  EXPECT_EQ(r.score, 5);  // detach and remove are one share each: remove passed
  ASSERT_EQ(r.evidence.size(), 1u);
  EXPECT_EQ(r.evidence[0].process, "server");
  EXPECT_EQ(r.evidence[0].pid, 1005);
  EXPECT_EQ(r.evidence[0].call, "shmat(7, NULL, 0) = 0x7f0000001000");
  EXPECT_EQ(r.evidence[0].detail,
            "0x7f0000001000 was inherited from server (pid 1000) through fork and never detached: the child "
            "exited while attached; call shmdt(0x7f0000001000) in the child too before it ends");
  EXPECT_EQ(
      r.feedback,
      "server (pid 1005): shmat(7, NULL, 0) = 0x7f0000001000 — 0x7f0000001000 was inherited from server "
      "(pid 1000) through fork and never detached: the child exited while attached; call "
      "shmdt(0x7f0000001000) in the child too before it ends");

  // The child detaching its copy passes.
  events.insert(events.end() - 1, call(1005, "server", "shmdt", {{"shmaddr", "0x7f0000001000"}}));
  EXPECT_EQ(only(a, {with_trace(join(events, server_detaches_removes_and_exits()))}).status,
            checks::Status::Passed);
}

// exec drops the attachments: one the process made itself fails; one it inherited does not (posix_spawn
// and system() run the child in the parent's memory until it execs).
TEST(ShmUsageCheck, ExecDropsInheritedAttachmentsWithoutBlame) {
  const auto a = assignment_with("  - {name: shm, type: shm-usage, points: 10}\n");
  auto events = server_attaches();
  events.push_back(spawned(1005, 1000, "server"));
  trace::Event exec;
  exec.kind = trace::EventKind::Exec;
  exec.pid = 1005;
  exec.process = "server";
  exec.program = "/bin/ls";
  exec.judged = false;
  events.push_back(exec);
  events.push_back(ended(1005, "server", "0"));
  EXPECT_EQ(only(a, {with_trace(join(events, server_detaches_removes_and_exits()))}).status,
            checks::Status::Passed);

  auto own = server_attaches();
  exec.pid = 1000;
  own.push_back(exec);
  own.push_back(call(1000, "server", "shmctl", {{"shmid", "7"}, {"cmd", "IPC_RMID"}}));
  own.push_back(ended(1000, "server", "0"));
  const auto r = only(a, {with_trace(own)});
  EXPECT_EQ(r.status, checks::Status::Failed);
  ASSERT_EQ(r.evidence.size(), 1u);
  EXPECT_EQ(r.evidence[0].detail,
            "0x7f0000001000 was never detached: the process ran another program (exec) while attached; call "
            "shmdt(0x7f0000001000) when done with it");
}

// A process the grader killed did not reach its shmdt: it is not told to call it.
TEST(ShmUsageCheck, AKilledProcessIsNotJudgedOnDetaching) {
  const auto a = assignment_with("  - {name: shm, type: shm-usage, points: 10}\n");
  auto events = server_attaches();
  events.push_back(call(1000, "server", "shmctl", {{"shmid", "7"}, {"cmd", "IPC_RMID"}}));
  auto run = with_trace(events);
  run.outcome = run::Outcome::Timeout;
  run.processes[0].killed_by_grader = true;
  run.processes[0].exit_code.reset();
  run.processes[0].signal = 9;
  const auto r = only(a, {run});
  EXPECT_EQ(r.status, checks::Status::Passed);
  EXPECT_EQ(r.score, 10);
  EXPECT_TRUE(r.evidence.empty());
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_EQ(r.notes[0],
            "server (pid 1000) was killed while attached to 0x7f0000001000: detaching is judged only for a "
            "process that ends by itself");
  EXPECT_EQ(r.feedback,
            "Every attachment was detached before its process ended, every segment was removed. Server (pid "
            "1000) was killed while attached to 0x7f0000001000: detaching is judged only for a process that "
            "ends by itself.");
  // Killed with its exit in the trace (SIGKILL at the wall limit): the same.
  events.push_back(ended(1000, "server", "", "9"));
  run.trace = with_trace(events).trace;
  EXPECT_EQ(only(a, {run}).status, checks::Status::Passed);
}

// `shares` weighs the aspects: a segment never removed costs the remove share alone.
TEST(ShmUsageCheck, SharesWeighTheAspects) {
  const auto a = assignment_with(
      "  - {name: shm, type: shm-usage, size: 4096, shares: {size: 2, detach: 4, remove: 4}, points: 10}\n");
  auto events = server_attaches();
  events.push_back(call(1000, "server", "shmdt", {{"shmaddr", "0x7f0000001000"}}));
  events.push_back(ended(1000, "server", "0"));
  const auto r = only(a, {with_trace(events)});
  EXPECT_EQ(r.status, checks::Status::Failed);
  EXPECT_EQ(r.score, 6);
  ASSERT_EQ(r.evidence.size(), 1u);
  EXPECT_EQ(r.evidence[0].detail,
            "segment 7 was never removed: call shmctl(7, IPC_RMID, NULL) when it is no longer needed");
  // A share of 0 turns its aspect off, like `remove: false`.
  const auto off = assignment_with("  - {name: shm, type: shm-usage, shares: {remove: 0}, points: 10}\n");
  EXPECT_EQ(only(off, {with_trace(events)}).status, checks::Status::Passed);
}

TEST(TypeFilterCheck, AListAcceptsEachTypeListed) {
  const auto a =
      assignment_with("  - {name: types, type: type-filter, process: server, msgtyp: [1, 2], points: 10}\n");
  auto receive = [](const std::string& type) {
    return call(1000, "server", "msgrcv",
                {{"msqid", "0"}, {"msgsz", "64"}, {"msgtyp", type}, {"msgflg", "0"}});
  };
  EXPECT_EQ(only(a, {with_trace({receive("1"), receive("2")})}).status, checks::Status::Passed);
  const auto r = only(a, {with_trace({receive("1"), receive("3")})});
  EXPECT_EQ(r.status, checks::Status::Failed);
  EXPECT_EQ(r.score, 0);
  ASSERT_EQ(r.evidence.size(), 1u);
  EXPECT_EQ(r.evidence[0].detail, "msgtyp 3 — it must receive type 1 or type 2");
}

TEST(PipeClosureCheck, AReaderHoldingTheWriteEndFailsOncePerPipe) {
  const auto a = assignment_with("  - {name: ends, type: pipe-closure, points: 20}\n");
  const auto made = call(1000, "server", "pipe", {{"pipe", "1"}, {"read_fd", "3"}, {"write_fd", "4"}},
                         0);  // what the reads are on
  auto read =
      call(1001, "client", "read",
           {{"fd", "3"}, {"count", "4096"}, {"pipe", "1"}, {"end", "read"}, {"holds_write_end", "fd 4"}});
  const auto r = only(a, {with_trace({made, read, read})});
  EXPECT_EQ(r.status, checks::Status::Failed);
  ASSERT_EQ(r.evidence.size(), 1u);
  EXPECT_EQ(r.evidence[0].call, "read(3, ..., 4096)");
  EXPECT_EQ(r.evidence[0].detail,
            "reads pipe 1 while it still holds the pipe's write end (fd 4): read will never see end-of-file "
            "while a "
            "write end is open; close it before reading");
  auto write =
      call(1000, "server", "write",
           {{"fd", "4"}, {"count", "10"}, {"pipe", "1"}, {"end", "write"}, {"holds_read_end", "fd 3"}});
  EXPECT_EQ(only(a, {with_trace({made, write})}).evidence.at(0).detail,
            "writes pipe 1 while it still holds the pipe's read end (fd 3); close the end it does not use");
  auto clean = call(1001, "client", "read", {{"fd", "3"}, {"count", "4096"}, {"pipe", "1"}, {"end", "read"}});
  EXPECT_EQ(only(a, {with_trace({made, clean})}).status, checks::Status::Passed);
}

TEST(PipeMessagesCheck, EveryWriteEndsWithTheTerminator) {
  const auto a =
      assignment_with("  - {name: nul, type: pipe-messages, terminator: \"\\n\\0\", points: 10}\n");
  const auto made = call(1000, "server", "pipe", {{"pipe", "1"}, {"read_fd", "3"}, {"write_fd", "4"}},
                         0);  // what the writes are on
  auto good =
      call(1000, "server", "write",
           {{"fd", "4"}, {"count", "11"}, {"pipe", "1"}, {"end", "write"}, {"tail", "message 0\\n\\0"}});
  EXPECT_EQ(only(a, {with_trace({made, good})}).status, checks::Status::Passed);
  auto bad = call(1000, "server", "write",
                  {{"fd", "4"}, {"count", "10"}, {"pipe", "1"}, {"end", "write"}, {"tail", "message 0\\n"}});
  const auto r = only(a, {with_trace({made, good, bad})});
  EXPECT_EQ(r.status, checks::Status::Failed);
  EXPECT_EQ(r.evidence.at(0).detail,
            "the message ends with \"message 0\\n\", not with the terminator \"\\n\\0\"");
}

TEST(TraceFile, RoundTripsEveryField) {
  trace::Event e = call(
      1001, "client", "msgrcv",
      {{"msqid", "0"}, {"msgsz", "64"}, {"msgtyp", "1001"}, {"msgflg", "0"}, {"received_mtype", "1001"}}, 64);
  e.host_pid = 4242;
  e.index = 2;
  e.program = "/tmp/work/client";
  e.judged = false;
  e.at = "client.c:31";
  e.repeat = 7;
  trace::Event failed =
      call(1000, "server", "msgsnd", {{"msqid", "0"}, {"mtype", "0"}, {"msgsz", "8"}}, -1, EINVAL);
  trace::Event spawn;
  spawn.kind = trace::EventKind::Spawn;
  spawn.pid = 1002;
  spawn.parent = 1001;
  run::ScenarioResult s = with_trace({e, failed, spawn});
  const std::string text = run::trace_file({s}).dump();
  const auto back = run::read_trace_file(text);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].first, "relay");
  const auto& events = back[0].second.events;
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].values, e.values);
  EXPECT_EQ(events[0].texts, e.texts);
  EXPECT_EQ(events[0].result, 64);
  EXPECT_EQ(events[0].host_pid, 4242);
  EXPECT_EQ(events[0].index, 2);
  EXPECT_EQ(events[0].program, "/tmp/work/client");
  EXPECT_FALSE(events[0].judged);
  EXPECT_EQ(events[0].at, "client.c:31");
  EXPECT_EQ(events[0].repeat, 7u);
  EXPECT_EQ(events[1].error, EINVAL);
  EXPECT_TRUE(events[1].judged);
  EXPECT_EQ(events[2].parent, 1001);
  EXPECT_THROW(run::read_trace_file("{\"scenarios\": 3}"), std::runtime_error);
}

TEST(MessageSizeCheck, WithoutPayloadTheProgramsOwnStructsAreTheMeasure) {
  const auto a = assignment_with("  - {name: sizes, type: message-size, points: 15}\n");
  trace::Event exec;
  exec.kind = trace::EventKind::Exec;
  exec.pid = 1001;
  exec.process = "client";
  exec.program = "/work/client";
  exec.message_structs = {{"reply", 72}, {"request", 80}};
  auto whole =
      call(1001, "client", "msgsnd", {{"msqid", "0"}, {"mtype", "1"}, {"msgsz", "80"}, {"msgflg", "0"}});
  whole.program = "/work/client";
  auto right =
      call(1001, "client", "msgrcv", {{"msqid", "0"}, {"msgsz", "64"}, {"msgtyp", "1001"}, {"msgflg", "0"}});
  right.program = "/work/client";
  const auto r = only(a, {with_trace({exec, whole, right})});
  EXPECT_EQ(r.status, checks::Status::Failed);
  ASSERT_EQ(r.evidence.size(), 1u);
  EXPECT_EQ(r.evidence[0].detail,
            "msgsz 80 is sizeof(struct request), which counts the long mtype; the payload is 72 bytes");
  // The advice names the student's own struct.
  EXPECT_NE(r.feedback.find("write sizeof(struct request) - sizeof(long)"), std::string::npos) << r.feedback;
  // Without debug information there is nothing to measure against: only mtype is judged.
  auto unknown = whole;
  unknown.program = "/work/other";
  EXPECT_EQ(only(a, {with_trace({exec, unknown})}).status, checks::Status::Passed);
}

TEST(Scoring, AScenarioTheGraderCouldNotRunPassesNothing) {
  const auto a = assignment_with(
      "  - {name: exits, type: exit, points: 10}\n  - {name: clean, type: no-leftovers, points: 5}\n");
  run::ScenarioResult crashed;
  crashed.name = "relay";
  crashed.outcome = run::Outcome::CrashedGrader;
  crashed.outcome_detail =
      "the sandbox could not be set up: cannot create IPC, UTS, network and PID namespaces";
  build::BuildResult ok;
  ok.status = build::BuildStatus::Ok;
  for (const auto& r : score::score_checks(a, {crashed}, ok, {0x5000})) {
    EXPECT_EQ(r.status, checks::Status::Failed);
    EXPECT_EQ(r.score, 0);
    EXPECT_EQ(r.feedback,
              "Not judged: the grader could not run scenario 'relay' (the sandbox could not be set up: "
              "cannot create "
              "IPC, UTS, network and PID namespaces). This is a fault of the grader, not of the submission.");
  }
}

// `runs:` at its edges: with five runs `majority` needs three and `any` one; with three runs `majority`
// needs two. The rule alone decides each verdict here (the same check, the same outputs).
TEST(Scoring, TheRunsRuleDecidesAtItsEdges) {
  auto verdict = [](const std::string& rule, int runs, int passing) {
    const auto a = assignment_with(
        "  - {name: served, type: output, process: server, stdout: {equals: \"served 2\\n\"}, "
        "points: 10, runs: " +
        rule + "}\n");
    std::vector<run::ScenarioResult> relay;
    for (int k = 0; k < runs; ++k) {
      auto s = relay_run();
      s.seed = 100 + k;
      if (k >= passing) s.processes[0].stdout_text = "served 1\n";
      relay.push_back(s);
    }
    build::BuildResult ok;
    ok.status = build::BuildStatus::Ok;
    const auto results = score::score_runs(a, {relay}, ok, {0x5000});
    EXPECT_EQ(results.size(), 1u);
    return results.at(0);
  };
  for (const auto& [rule, runs, passing, passes] :
       std::vector<std::tuple<std::string, int, int, bool>>{{"majority", 5, 2, false},
                                                            {"majority", 5, 3, true},
                                                            {"majority", 3, 1, false},
                                                            {"majority", 3, 2, true},
                                                            {"any", 5, 0, false},
                                                            {"any", 5, 1, true},
                                                            {"all", 5, 4, false},
                                                            {"all", 5, 5, true}}) {
    SCOPED_TRACE(rule + " with " + std::to_string(passing) + " of " + std::to_string(runs));
    const auto r = verdict(rule, runs, passing);
    EXPECT_EQ(r.status, passes ? checks::Status::Passed : checks::Status::Failed);
    EXPECT_EQ(r.score, passes ? 10 : 0);
    EXPECT_EQ(r.runs_passed, passing);
    if (passes && passing < runs) {
      EXPECT_EQ(r.feedback.rfind(fmt::format("Passed {} of {} runs ({} needed) — the result depends on the "
                                             "schedule (seed {} fails). ",
                                             passing, runs, rule, 100 + passing),
                                 0),
                0u)
          << r.feedback;
    }
  }
}

// A set made with IPC_PRIVATE and no IPC_CREAT (IPC_PRIVATE always makes one) is reported with its
// creator, like any other.
TEST(Leftovers, AnIpcPrivateObjectIsNamedWithItsCreator) {
  trace::Trace t;
  t.events = {call(1000, "server", "semget", {{"key", "IPC_PRIVATE"}, {"nsems", "2"}, {"flags", "0600"}}, 5)};
  t.events[0].seq = 1;
  run::Leftover left;
  left.kind = trace::IpcKind::SemSet;
  left.id = 5;
  runner::attribute_leftover(left, runner::TraceIndex(t));
  EXPECT_EQ(left.creator, "server (pid 1000)");
  EXPECT_EQ(left.call, "semget(IPC_PRIVATE, 2, 0600) = 5");
}

// `permissions` judges FIFOs and POSIX objects as it judges System V ones: the mode the code asks for,
// shown with what the umask leaves of it. An open of an object that was there made nothing.
TEST(PermissionsCheck, FifosAndPosixObjectsAreJudgedAndShownAfterTheUmask) {
  const auto a = assignment_with("  - {name: modes, type: permissions, points: 10}\n");
  const auto r = only(
      a, {with_trace(
             {call(1000, "server", "mkfifo", {{"pathname", "up.fifo"}, {"mode", "0777"}, {"umask", "18"}}, 0),
              call(1000, "server", "sem_open",
                   {{"name", "/lock"}, {"oflag", "O_RDWR|O_CREAT"}, {"mode", "0700"}}),
              call(1001, "client", "shm_open",
                   {{"name", "/status"}, {"oflag", "O_RDWR|O_CREAT"}, {"mode", "0644"}, {"existed", "1"}},
                   3)})});
  EXPECT_EQ(r.status, checks::Status::Failed);
  ASSERT_EQ(r.evidence.size(), 2u);
  EXPECT_EQ(
      r.evidence[0].detail,
      "mode 0777 (0755 after the umask 022) is not allowed (allowed: 0600, 0666); execute bits mean nothing "
      "for IPC objects");
  EXPECT_EQ(r.evidence[1].detail,
            "mode 0700 is not allowed (allowed: 0600, 0666); execute bits mean nothing for IPC objects");
}

// `ipc-errors`: a SETVAL past the set's end and a semop on a semaphore that is not there are named in the
// set's terms; a key of 0xffffffff is ftok's failure; the failures a correct program meets on purpose
// (a client's get before the server made the queue, IPC_NOWAIT's EAGAIN) are not judged.
TEST(IpcErrorsCheck, FailedCallsAreExplainedInTheCallsTerms) {
  const auto a = assignment_with("  - {name: errors, type: ipc-errors, points: 10}\n");
  const auto r = only(
      a,
      {with_trace(
          {call(1000, "server", "semget",
                {{"key", "0x00005000"}, {"nsems", "2"}, {"flags", "IPC_CREAT|0600"}}, 3),
           call(1000, "server", "semctl",
                {{"semid", "3"}, {"semnum", "10"}, {"cmd", "SETVAL"}, {"value", "1"}}, -1, EINVAL),
           call(1001, "client", "semop",
                {{"semid", "3"}, {"sops", "[{sem_num=2, sem_op=-1, sem_flg=0}]"}, {"nsops", "1"}}, -1, EFBIG),
           call(1001, "client", "msgget",
                {{"key", "0xffffffff"}, {"flags", "IPC_CREAT|0600"}, {"mode", "0600"}}, 4),
           call(1001, "client", "msgget", {{"key", "0x00005000"}, {"flags", "0000"}}, -1, ENOENT),
           call(1001, "client", "msgrcv",
                {{"msqid", "4"}, {"msgsz", "8"}, {"msgtyp", "1"}, {"msgflg", "IPC_NOWAIT"}}, -1, ENOMSG)})});
  EXPECT_EQ(r.status, checks::Status::Failed);
  ASSERT_EQ(r.evidence.size(), 3u);
  EXPECT_EQ(r.evidence[0].detail,
            "it failed with EINVAL (Invalid argument): semaphore 10 is past the set's end — the set has 2 "
            "semaphores "
            "(0..1); the set was not changed, so it does not count as initialised");
  EXPECT_EQ(r.evidence[1].detail,
            "it failed with EFBIG (File too large): a sem_num is past the set's end — the set has 2 "
            "semaphores (0..1)");
  EXPECT_EQ(r.evidence[2].detail,
            "key 0xffffffff is what ftok returns when it fails (does the file exist? is the path the one the "
            "program "
            "runs in?): every program whose ftok failed gets the same key");
  const auto clean = only(
      a,
      {with_trace({call(1001, "client", "msgget", {{"key", "0x00005000"}, {"flags", "0000"}}, -1, ENOENT)})});
  EXPECT_EQ(clean.status, checks::Status::Passed);
  EXPECT_EQ(clean.feedback, "No IPC call failed.");
}
