// The bounded-buffer sample (System V semaphores over shared memory), graded with the real binary in
// both isolation modes: the solution gets full marks, and each classic mistake fails exactly its checks
// with the call, the line and the explanation a student reads.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "tests/host_clean.hpp"
#include "tests/report_json.hpp"
#include "tests/run_cli.hpp"

using namespace ipcgrade::testing;
using nlohmann::json;

namespace {

class BoundedBuffer : public HostCleanTest, public ::testing::WithParamInterface<std::string> {
 protected:
  json grade(const std::string& submission, int expected_code) {
    const CliResult r = run_ipcgrade({"grade", sample("sem-bounded-buffer").string(),
                                      sample("sem-bounded-buffer/" + submission).string(), "--json",
                                      "--isolation", GetParam()});
    EXPECT_EQ(r.code, expected_code) << r.err << r.out;
    return json::parse(r.out);
  }

  // A removal check that the deadlock stop kept from judging: it passes, and says why.
  static void expect_not_judged(const json& report, const std::string& check) {
    const json& c = check_named(report, check);
    EXPECT_EQ(c["status"], "passed") << c;
    EXPECT_TRUE(std::regex_search(
        c["feedback"].get<std::string>(),
        std::regex("[Nn]ot judged: the run was stopped( \\(deadlock\\))? before it could clean up")))
        << c["feedback"];
  }
  // The first scenario's outcome detail: the deadlock's explanation.
  static std::string explanation(const json& report) {
    return report["scenarios"][0]["outcome_detail"].get<std::string>();
  }

  void SetUp() override {
    HostCleanTest::SetUp();
    if (GetParam() == "namespaces" && !namespaces_available())
      GTEST_SKIP() << "this machine refuses namespaces";
  }
};

constexpr const char* kInitialized = "every semaphore gets its value before use";
constexpr const char* kUndo = "the lock is taken with SEM_UNDO";
constexpr const char* kRemoved = "the semaphore set is removed";
constexpr const char* kLeftovers = "the set and the segment are removed";
constexpr const char* kConsumer = "the consumer gets every item once";
constexpr const char* kProducer = "the producer reports what it made";
constexpr const char* kExit = "both programs exit with status 0";

}  // namespace

TEST_P(BoundedBuffer, TheSolutionGetsFullMarks) {
  const json r = grade("solution", 0);
  EXPECT_EQ(r["score"], 100);
  EXPECT_TRUE(failed_checks(r).empty()) << r.dump(2);
  for (const auto& s : r["scenarios"]) {
    EXPECT_EQ(s["outcome"], "completed");
    EXPECT_TRUE(s["leftovers"].empty());
  }
}

// A solution with no semaphore at all (the two sides spin on the ring's counters) prints the right sums
// and leaves nothing behind, but the three semaphore checks judged nothing: each fails with "Nothing to
// judge", which says what the assignment expects. It used to pass them, 100/100.
TEST_P(BoundedBuffer, ASolutionWithoutSemaphoresHasNothingForTheSemaphoreChecksToJudge) {
  const json r = grade("variants/no-semaphore", 1);
  const std::set<std::string> semaphore_checks = {kInitialized, "the lock is taken with SEM_UNDO", kRemoved};
  EXPECT_EQ(failed_checks(r), semaphore_checks);
  EXPECT_EQ(r["score"], 70);
  for (const auto& name : semaphore_checks) {
    const json& c = check_named(r, name);
    EXPECT_EQ(c["status"], "failed");
    EXPECT_EQ(c["score"], 0);
    EXPECT_EQ(
        c["feedback"],
        "Nothing to judge: no semget or sem_open was made in any scenario (the assignment expects a System V "
        "semaphore set or a named semaphore).");
    EXPECT_TRUE(c["evidence"].empty()) << c;
  }
}

TEST_P(BoundedBuffer, ASemaphoreNeverGivenAValueIsNamedAtItsFirstSemop) {
  const json r = grade("variants/no-initialization", 1);
  // The deadlock stop cut the programs short of their IPC_RMID: the exit check charges the stop, and the
  // set's removal is not charged again.
  EXPECT_EQ(failed_checks(r), (std::set<std::string>{kConsumer, kProducer, kExit, kInitialized}));
  EXPECT_EQ(r["score"], 40);
  expect_not_judged(r, kLeftovers);
  expect_not_judged(r, kRemoved);
  const json& c = check_named(r, kInitialized);
  ASSERT_FALSE(c["evidence"].empty());
  const json& e = c["evidence"][0];
  // Whichever side waits first: the producer for a free slot (1) or the consumer for a full one (2).
  ASSERT_TRUE(e["process"] == "producer" || e["process"] == "consumer") << e;
  const std::string num = e["process"] == "producer" ? "1" : "2";
  // The set's id is 0 in a fresh IPC namespace, the host's next id in tracked mode.
  EXPECT_TRUE(std::regex_match(
      e["call"].get<std::string>(),
      std::regex(R"(semop\(\d+, \[\{sem_num=)" + num + R"(, sem_op=-1, sem_flg=0\}\], 1\))")))
      << e;
  EXPECT_EQ(e["at"], "buffer.h:31");
  EXPECT_NE(e["detail"].get<std::string>().find("semop on semaphore " + num + " of semaphore set key 0x"),
            std::string::npos);
  EXPECT_NE(e["detail"].get<std::string>().find("before any SETVAL or SETALL gave it a value"),
            std::string::npos);
  // Both sides wait on a semaphore that is 0 for ever: stopped at once, and said why.
  EXPECT_EQ(r["scenarios"][0]["outcome"], "deadlock");
  EXPECT_NE(explanation(r).find("producer (pid "), std::string::npos);
  EXPECT_NE(explanation(r).find("waits in semop to take 1 from semaphore 1 of set key 0x"),
            std::string::npos);
  EXPECT_NE(explanation(r).find("(value 0); no live process will increase it"), std::string::npos);
}

TEST_P(BoundedBuffer, ACrashHoldingTheLockWithoutSemUndoHangsTheProducer) {
  const json r = grade("variants/no-undo-crash", 1);
  EXPECT_EQ(failed_checks(r), (std::set<std::string>{kConsumer, kProducer, kExit, kUndo}));
  EXPECT_EQ(r["score"], 40);
  expect_not_judged(r, kRemoved);
  // The consumer died holding the lock: the deadlock names it, with its P.
  EXPECT_TRUE(std::regex_search(
      explanation(r),
      std::regex(R"(consumer \(pid \d+\) crashed \(SIGABRT\) holding semaphore 0 of set key 0x[0-9a-f]{8} )"
                 R"(\(id \d+\) \(P at buffer\.h:\d+ without V; no SEM_UNDO, so the kernel did not give )"
                 R"(it back — with SEM_UNDO it would have\))")))
      << explanation(r);
  const json& e = check_named(r, kUndo)["evidence"][0];
  EXPECT_EQ(e["process"], "consumer");
  EXPECT_TRUE(std::regex_match(e["call"].get<std::string>(),
                               std::regex(R"(semop\(\d+, \[\{sem_num=0, sem_op=-1, sem_flg=0\}\], 1\))")))
      << e;
  EXPECT_NE(e["detail"].get<std::string>().find("sem_op -1 on semaphore 0 of semaphore set key 0x"),
            std::string::npos);
  EXPECT_NE(e["detail"].get<std::string>().find("without SEM_UNDO"), std::string::npos);
  // Only the counting semaphores' waits go without SEM_UNDO elsewhere: `undo: [0]` judges the lock only.
  // The consumer's, once: the same line in both scenarios is one call site.
  ASSERT_EQ(check_named(r, kUndo)["evidence"].size(), 1u);
  EXPECT_EQ(e["repeats"]["scenarios"], 2);
  // The consumer died (its own assert) holding the lock; the producer waits for it for ever.
  EXPECT_EQ(r["scenarios"][0]["outcome"], "deadlock");
  EXPECT_NE(explanation(r).find("waits in semop to take 1 from semaphore 0 of set key 0x"),
            std::string::npos);
  bool aborted = false;
  for (const auto& p : r["scenarios"][0]["processes"]) aborted = aborted || p["signal"] == 6;
  EXPECT_TRUE(aborted) << r["scenarios"][0]["processes"];
}

TEST_P(BoundedBuffer, ASetNeverRemovedIsNamedAtItsSemget) {
  const json r = grade("variants/set-never-removed", 1);
  // One missing IPC_RMID, charged once: by the leftovers check, the first in the file that judges it.
  EXPECT_EQ(failed_checks(r), (std::set<std::string>{kLeftovers}));
  EXPECT_EQ(r["score"], 90);
  const json& e = check_named(r, kLeftovers)["evidence"].at(0);
  EXPECT_EQ(e["process"], "producer");
  EXPECT_EQ(e["at"], "producer.c:14");
  EXPECT_NE(e["call"].get<std::string>().find("semget(0x"), std::string::npos);
  EXPECT_NE(e["detail"].get<std::string>().find("was left behind"), std::string::npos);
  const std::string charged = check_named(r, kRemoved)["feedback"].get<std::string>();
  EXPECT_TRUE(std::regex_search(
      charged, std::regex("^Nothing to charge here: what this check found was charged by an earlier check\\. "
                          "Semaphore set key 0x[0-9a-f]+ \\(id \\d+\\) was never removed in 'ten items': "
                          "charged by '" +
                          std::string(kLeftovers) + "'\\.")))
      << charged;
  EXPECT_EQ(r["scenarios"][0]["outcome"], "completed");
  ASSERT_EQ(r["scenarios"][0]["leftovers"].size(), 1u);
  EXPECT_EQ(r["scenarios"][0]["leftovers"][0]["kind"], "sem");
}

TEST_P(BoundedBuffer, TakingTheLockBeforeASlotDeadlocksAndBothWaitsAreExplained) {
  const json r = grade("variants/wrong-order", 1);
  EXPECT_EQ(failed_checks(r), (std::set<std::string>{kConsumer, kProducer, kExit}));
  EXPECT_EQ(r["score"], 50);
  expect_not_judged(r, kLeftovers);
  EXPECT_EQ(r["scenarios"][0]["outcome"], "deadlock");
  // The consumer holds the lock and waits for a full slot; the producer waits for the lock.
  EXPECT_NE(explanation(r).find("waits in semop to take 1 from semaphore 0 of set key 0x"),
            std::string::npos);
  EXPECT_NE(explanation(r).find("waits in semop to take 1 from semaphore 2 of set key 0x"),
            std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Modes, BoundedBuffer, ::testing::Values("namespaces", "tracked"),
                         [](const auto& p) { return p.param; });
