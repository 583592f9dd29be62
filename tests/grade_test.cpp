// Grades every sample solution and every buggy variant with the real binary, as an instructor would,
// and asserts the scores, which checks fail, and the evidence a student would read.
#include <gtest/gtest.h>

#include <set>

#include "tests/host_clean.hpp"
#include "tests/run_cli.hpp"

using namespace ipcgrade::testing;
using nlohmann::json;

namespace {

class Sample : public HostCleanTest {
 protected:
  // Grades assignments/<assignment>/<submission> and returns the JSON report.
  json grade(const std::string& assignment, const std::string& submission, int expected_code) {
    const CliResult r = run_ipcgrade(
        {"grade", sample(assignment).string(), sample(assignment + "/" + submission).string(), "--json"});
    EXPECT_EQ(r.code, expected_code) << r.err << r.out;
    try {
      return json::parse(r.out);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "not JSON: " << e.what() << "\n" << r.out << r.err;
      return json::object();
    }
  }

  static std::set<std::string> failed_checks(const json& report) {
    std::set<std::string> failed;
    for (const auto& c : report["checks"]) {
      if (c["status"] == "failed") failed.insert(c["name"].get<std::string>());
    }
    return failed;
  }

  static const json& check(const json& report, const std::string& name) {
    for (const auto& c : report["checks"]) {
      if (c["name"] == name) return c;
    }
    static const json none;
    ADD_FAILURE() << "no check named " << name;
    return none;
  }

  static void expect_full_marks(const json& report) {
    EXPECT_EQ(report["score"], report["max_score"]);
    EXPECT_GT(report["max_score"].get<double>(), 0);
    EXPECT_TRUE(failed_checks(report).empty()) << report.dump(2);
    for (const auto& s : report["scenarios"]) {
      EXPECT_EQ(s["outcome"], "completed") << s.dump(2);
      EXPECT_TRUE(s["leftovers"].empty()) << s.dump(2);
    }
    EXPECT_EQ(report["mode"], "namespaces");
    EXPECT_EQ(report["build"]["status"], "ok");
  }
};

}  // namespace

TEST_F(Sample, MessageQueueSolutionGetsFullMarks) {
  const json r = grade("msgqueue-relay", "solution", 0);
  expect_full_marks(r);
  EXPECT_EQ(r["score"], 60);
  // Programs see ordinary pids, well past the request types 1 and 2.
  for (const auto& p : r["scenarios"][0]["processes"]) EXPECT_GE(p["pid"].get<int>(), 1000);
}

TEST_F(Sample, SharedMemorySolutionGetsFullMarks) {
  expect_full_marks(grade("shm-exchange", "solution", 0));
}

TEST_F(Sample, PipeSolutionGetsFullMarks) {
  expect_full_marks(grade("pipe-shout", "solution", 0));
}

TEST_F(Sample, BugsInvisibleToOutputExitAndLeftoversPass) {
  // These bugs are only seen by the checks that trace the IPC calls; the others must not blame them.
  for (const auto& [assignment, variant] :
       std::vector<std::pair<std::string, std::string>>{{"msgqueue-relay", "whole-struct-msgsz"},
                                                        {"msgqueue-relay", "hard-coded-key"},
                                                        {"msgqueue-relay", "mode-0777"},
                                                        {"shm-exchange", "no-shmdt"},
                                                        {"shm-exchange", "ftok-key"},
                                                        {"pipe-shout", "writer-keeps-read-end"}}) {
    SCOPED_TRACE(assignment + "/" + variant);
    expect_full_marks(grade(assignment, "variants/" + variant, 0));
  }
}

TEST_F(Sample, QueueNeverRemovedIsReclaimedAndDeducted) {
  const json r = grade("msgqueue-relay", "variants/queue-never-removed", 1);
  EXPECT_EQ(failed_checks(r), std::set<std::string>{"the queue is removed"});
  EXPECT_EQ(r["score"], 50);
  const json& c = check(r, "the queue is removed");
  EXPECT_EQ(c["score"], 0);  // per_object 10, one queue in each of the two scenarios
  EXPECT_EQ(
      c["feedback"],
      "2 message queues were left behind after the programs exited; remove each with msgctl(id, IPC_RMID, "
      "NULL) once it is no longer needed.");
  ASSERT_EQ(c["evidence"].size(), 2u);
  const std::string key = r["keys"][0];
  EXPECT_EQ(c["evidence"][0]["detail"],
            "message queue key " + key +
                " (id 0, mode 0600, 0 message(s) still queued) was left behind and has "
                "been removed by the grader");
  for (const auto& s : r["scenarios"]) {
    ASSERT_EQ(s["leftovers"].size(), 1u);
    EXPECT_EQ(s["leftovers"][0]["kind"], "msg");
    EXPECT_EQ(s["leftovers"][0]["key"], key);
    EXPECT_EQ(s["leftovers"][0]["mode"], "0600");
    EXPECT_EQ(s["leftovers"][0]["reclaimed"], true);
  }
}

TEST_F(Sample, ClientReceivingTypeZeroStealsAnotherMessage) {
  // With msgtyp 0 the second client takes the first client's "done" message (too big for its buffer:
  // E2BIG), so clients fail, the server waits for ever, and the queue stays.
  const json r = grade("msgqueue-relay", "variants/msgtyp-zero", 1);
  EXPECT_EQ(failed_checks(r),
            (std::set<std::string>{"every client gets its own word back",
                                   "the server reports how many clients it served",
                                   "every program exits with status 0", "the queue is removed"}));
  EXPECT_EQ(r["scenarios"][0]["outcome"], "timeout");
  EXPECT_EQ(r["scenarios"][0]["outcome_detail"], "wall limit 3s");
  EXPECT_EQ(r["scenarios"][1]["outcome"], "completed");  // one client alone gets its reply
  EXPECT_NE(
      r["scenarios"][0]["processes"][2]["stderr"].get<std::string>().find("msgrcv: Argument list too long"),
      std::string::npos);
}

TEST_F(Sample, SubmissionThatDoesNotCompileScoresZeroWithTheCompilerMessage) {
  const json r = grade("msgqueue-relay", "variants/syntax-error", 1);
  EXPECT_EQ(r["score"], 0);
  EXPECT_EQ(r["max_score"], 60);
  EXPECT_EQ(r["build"]["status"], "failed");
  const std::string log = r["build"]["log"];
  EXPECT_NE(log.find("server.c:21:3: error: expected"), std::string::npos) << log;
  EXPECT_NE(log.find("[build command exited with code 2]"), std::string::npos) << log;
  EXPECT_TRUE(r["scenarios"].empty());
  for (const auto& c : r["checks"]) {
    if (c["status"] == "not-checked") continue;
    EXPECT_EQ(c["status"], "failed");
    EXPECT_EQ(c["score"], 0);
  }
}

TEST_F(Sample, SegmentNeverRemovedNamesItsCreator) {
  const json r = grade("shm-exchange", "variants/no-rmid", 1);
  EXPECT_EQ(failed_checks(r), std::set<std::string>{"the segment is removed"});
  const json& left = r["scenarios"][0]["leftovers"];
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0]["kind"], "shm");
  EXPECT_EQ(left[0]["size"], 4096);
  EXPECT_EQ(left[0]["attached"], 0);
  EXPECT_EQ(left[0]["creator"], "writer (pid 1000)");
  EXPECT_EQ(left[0]["reclaimed"], true);
  EXPECT_EQ(check(r, "the segment is removed")["evidence"][0]["process"], "writer (pid 1000)");
}

TEST_F(Sample, CrashAfterAttachingFailsExitAndLeftovers) {
  const json r = grade("shm-exchange", "variants/crash-after-attach", 1);
  EXPECT_EQ(failed_checks(r),
            (std::set<std::string>{"both programs exit with status 0", "the segment is removed"}));
  EXPECT_EQ(check(r, "both programs exit with status 0")["evidence"][0]["detail"],
            "reader #0 (pid 1001) was killed by signal 11 (Segmentation fault); it must exit with code 0");
  EXPECT_EQ(r["scenarios"][0]["processes"][1]["signal"], 11);
  EXPECT_EQ(r["scenarios"][0]["leftovers"][0]["kind"], "shm");
  EXPECT_EQ(r["score"], 40);
}

TEST_F(Sample, ReaderKeepingTheWriteEndHangsUntilTheWallLimit) {
  const json r = grade("pipe-shout", "variants/reader-keeps-write-end", 1);
  EXPECT_EQ(failed_checks(r), (std::set<std::string>{"the child prints every message in upper case",
                                                     "many messages arrive one by one",
                                                     "parent and child exit with status 0"}));
  for (const auto& s : r["scenarios"]) {
    EXPECT_EQ(s["outcome"], "timeout");
    EXPECT_GE(s["seconds"].get<double>(), 2.0);
    EXPECT_LT(s["seconds"].get<double>(), 3.0);
  }
  EXPECT_EQ(check(r, "parent and child exit with status 0")["evidence"][0]["detail"],
            "shout #0 (pid 1000) was still running at the wall limit 2s and was killed");
}

TEST_F(Sample, MessagesWithoutTheirNulRunTogether) {
  const json r = grade("pipe-shout", "variants/no-nul", 1);
  EXPECT_EQ(failed_checks(r), (std::set<std::string>{"the child prints every message in upper case",
                                                     "many messages arrive one by one"}));
  EXPECT_EQ(
      check(r, "the child prints every message in upper case")["evidence"][0]["detail"],
      "shout #0 (pid 1000) printed \"MESSAGE 0\\nMESSAGE 1\\nMESSAGE 2\\nreceived 1 messages\\nsent 3 "
      "messages\\n\" on stdout; expected it to be exactly \"MESSAGE 0\\nMESSAGE 1\\nMESSAGE 2\\nreceived 3 "
      "messages\\nsent 3 messages\\n\"");
}
