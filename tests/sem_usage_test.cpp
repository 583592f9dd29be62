// sem-usage judged on hand-made traces: score, status, feedback and evidence for each aspect.
#include <gtest/gtest.h>

#include "grader/config/error.hpp"
#include "tests/check_fixtures.hpp"

using namespace ipcgrade;
using namespace ipcgrade::testing;

namespace {

// A semop as the tracer records it: the operations spelled as a trace file spells them.
trace::Event semop(long pid, const std::string& process, const std::string& sops) {
  return call(pid, process, "semop", {{"semid", "3"}, {"sops", sops}, {"nsops", "1"}}, 0);
}

std::vector<trace::Event> made_set(bool initialised) {
  std::vector<trace::Event> events = {call(
      1000, "server", "semget", {{"key", "0x00005000"}, {"nsems", "2"}, {"flags", "IPC_CREAT|0600"}}, 3)};
  if (initialised) {
    events.push_back(call(1000, "server", "semctl",
                          {{"semid", "3"}, {"semnum", "0"}, {"cmd", "SETVAL"}, {"value", "1"}}, 0));
  }
  return events;
}

}  // namespace

TEST(SemUsageCheck, ASemopBeforeAnyValueFailsAtThatCall) {
  const auto a = assignment_with("  - {name: sems, type: sem-usage, remove: false, points: 10}\n");
  auto events = made_set(false);
  events.push_back(semop(1001, "client", "[{sem_num=0, sem_op=-1, sem_flg=SEM_UNDO}]"));
  events.back().at = "client.c:31";
  events.push_back(semop(1001, "client", "[{sem_num=0, sem_op=-1, sem_flg=SEM_UNDO}]"));  // named once
  const auto r = only(a, {with_trace(events)});
  EXPECT_EQ(r.status, checks::Status::Failed);
  EXPECT_EQ(r.score, 0);
  ASSERT_EQ(r.evidence.size(), 1u);
  EXPECT_EQ(r.evidence[0].call, "semop(3, [{sem_num=0, sem_op=-1, sem_flg=SEM_UNDO}], 1) = 0");
  EXPECT_EQ(r.evidence[0].at, "client.c:31");
  EXPECT_EQ(
      r.evidence[0].detail,
      "semop on semaphore 0 of semaphore set key 0x00005000 (id 3) before any SETVAL or SETALL gave it a "
      "value: it is 0 only because Linux starts semaphores at 0 (POSIX leaves the value undefined)");
  EXPECT_NE(r.feedback.find("semctl(id, n, SETVAL, value)"), std::string::npos) << r.feedback;
}

TEST(SemUsageCheck, SetvalOfOneSemaphoreDoesNotCoverAnother) {
  const auto a = assignment_with("  - {name: sems, type: sem-usage, remove: false, points: 10}\n");
  auto events = made_set(true);
  events.push_back(semop(1001, "client", "[{sem_num=0, sem_op=-1, sem_flg=0}]"));
  EXPECT_EQ(only(a, {with_trace(events)}).status, checks::Status::Passed);
  events.push_back(semop(1001, "client", "[{sem_num=1, sem_op=1, sem_flg=0}]"));
  const auto r = only(a, {with_trace(events)});
  EXPECT_EQ(r.status, checks::Status::Failed);
  ASSERT_EQ(r.evidence.size(), 1u);
  EXPECT_NE(r.evidence[0].detail.find("semop on semaphore 1 of"), std::string::npos);
}

TEST(SemUsageCheck, UndoJudgesTheWaitsOfTheSemaphoresListed) {
  auto events = made_set(true);
  events.push_back(semop(1001, "client", "[{sem_num=1, sem_op=-1, sem_flg=0}]"));  // a counting semaphore
  events.push_back(semop(1001, "client", "[{sem_num=0, sem_op=-1, sem_flg=0}]"));  // the lock
  events.push_back(semop(1001, "client", "[{sem_num=0, sem_op=1, sem_flg=0}]"));   // a give is not judged
  const auto all = assignment_with(
      "  - {name: sems, type: sem-usage, initialized: false, remove: false, undo: true, points: 10}\n");
  EXPECT_EQ(only(all, {with_trace(events)}).evidence.size(), 2u);
  const auto lock = assignment_with(
      "  - {name: sems, type: sem-usage, initialized: false, remove: false, undo: [0], points: 10}\n");
  const auto r = only(lock, {with_trace(events)});
  EXPECT_EQ(r.status, checks::Status::Failed);
  ASSERT_EQ(r.evidence.size(), 1u);
  EXPECT_EQ(
      r.evidence[0].detail,
      "sem_op -1 on semaphore 0 of semaphore set key 0x00005000 (id 3) without SEM_UNDO: if the process "
      "dies holding it, it stays taken and every process that waits on it waits for ever");
}

TEST(SemUsageCheck, ASetNeverRemovedFailsAtItsSemgetAndARemovedOnePasses) {
  const auto a =
      assignment_with("  - {name: sems, type: sem-usage, initialized: false, nsems: 2, points: 10}\n");
  auto events = made_set(true);
  auto r = only(a, {with_trace(events)});
  EXPECT_EQ(r.status, checks::Status::Failed);
  ASSERT_EQ(r.evidence.size(), 1u);
  EXPECT_EQ(r.evidence[0].call, "semget(0x00005000, 2, IPC_CREAT|0600) = 3");
  EXPECT_EQ(r.evidence[0].detail,
            "semaphore set key 0x00005000 (id 3) was never removed: it outlives the programs and holds its "
            "semaphores' values for the next run");
  events.push_back(call(1001, "client", "semctl", {{"semid", "3"}, {"semnum", "0"}, {"cmd", "IPC_RMID"}}, 0));
  r = only(a, {with_trace(events)});
  EXPECT_EQ(r.status, checks::Status::Passed);
  EXPECT_EQ(r.score, 10);
  EXPECT_EQ(r.feedback, "Every set was removed, sets had the right number of semaphores.");
}

TEST(SemUsageCheck, ParametersAreCheckedWithTheirPlace) {
  EXPECT_THROW(assignment_with("  - {name: sems, type: sem-usage, undo: [-1], points: 10}\n"),
               config::ConfigError);
  EXPECT_THROW(assignment_with("  - {name: sems, type: sem-usage, undo: maybe, points: 10}\n"),
               config::ConfigError);
  EXPECT_THROW(assignment_with("  - {name: sems, type: sem-usage, nsem: 3, points: 10}\n"),
               config::ConfigError);
}
