// The FIFO and POSIX samples (fifo-chat: two FIFOs; posix-mq-relay: a POSIX queue and a POSIX
// shared-memory page), graded with the real binaries in both isolation modes: each solution gets full
// marks, and each classic mistake fails exactly its checks with the call, the line and the explanation a
// student reads. The host keeps no FIFO, queue or /dev/shm file (HostCleanTest).
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "tests/host_clean.hpp"
#include "tests/report_json.hpp"
#include "tests/run_cli.hpp"

using namespace ipcgrade::testing;
using nlohmann::json;

namespace {

class Syllabus : public HostCleanTest, public ::testing::WithParamInterface<std::string> {
 protected:
  json grade(const std::string& assignment, const std::string& submission, int expected_code) {
    const CliResult r =
        run_ipcgrade({"grade", sample(assignment).string(), sample(assignment + "/" + submission).string(),
                      "--json", "--isolation", GetParam()});
    EXPECT_EQ(r.code, expected_code) << r.err << r.out;
    return json::parse(r.out);
  }

  static std::string explanation(const json& report, int scenario = 0) {
    return report["scenarios"][scenario]["outcome_detail"].get<std::string>();
  }

  // Pids are from 1000 in the run's PID namespace, the host's in tracked mode.
  static void expect_matches(const std::string& text, const std::string& pattern) {
    EXPECT_TRUE(std::regex_search(text, std::regex(pattern))) << text << "\n  does not match\n" << pattern;
  }

  void SetUp() override {
    HostCleanTest::SetUp();
    if (GetParam() == "namespaces" && !namespaces_available())
      GTEST_SKIP() << "this machine refuses namespaces";
  }
};

constexpr const char* kReplies = "the client gets every reply";
constexpr const char* kServed = "the server reports what it served";
constexpr const char* kBothExit = "both programs exit with status 0";
constexpr const char* kNothingLeft = "nothing is left behind";
constexpr const char* kRdwr = "no FIFO is opened O_RDWR";

constexpr const char* kRelayed = "the server relays every message";
constexpr const char* kSent = "the client sends every message";
constexpr const char* kNothingInDev = "nothing is left in /dev/mqueue or /dev/shm";
constexpr const char* kBuffers = "receive buffers hold a whole message";
constexpr const char* kClosed = "queue descriptors are closed and the queue is unlinked";
constexpr const char* kPage = "the status page is sized, unmapped and unlinked";

}  // namespace

TEST_P(Syllabus, TheSolutionsGetFullMarks) {
  for (const std::string assignment : {"fifo-chat", "posix-mq-relay"}) {
    SCOPED_TRACE(assignment);
    const json r = grade(assignment, "solution", 0);
    EXPECT_EQ(r["score"], 100);
    EXPECT_TRUE(failed_checks(r).empty()) << r.dump(2);
    for (const auto& s : r["scenarios"]) {
      EXPECT_EQ(s["outcome"], "completed");
      EXPECT_TRUE(s["leftovers"].empty()) << s["leftovers"];
    }
  }
}

TEST_P(Syllabus, FifosNeverUnlinkedAreLeftBehindAndNamedAtTheirMkfifo) {
  const json r = grade("fifo-chat", "variants/fifos-never-unlinked", 1);
  EXPECT_EQ(failed_checks(r), (std::set<std::string>{kNothingLeft}));
  EXPECT_EQ(r["score"], 75);
  // One piece of evidence per mkfifo, for both scenarios.
  const json& evidence = check_named(r, kNothingLeft)["evidence"];
  ASSERT_EQ(evidence.size(), 2u) << evidence;
  const json& e = evidence[0];
  EXPECT_EQ(e["process"], "server");
  EXPECT_EQ(e["call"], "mkfifo(\"up.fifo\", 0600) = 0");
  EXPECT_EQ(e["at"], "server.c:17");
  expect_matches(e["detail"], R"(^FIFO up\.fifo \(mode 0600\) was left behind and has been removed by the )"
                              R"(grader; also opened by client \(pid \d+\) \(× 2 scenarios\)$)");
  EXPECT_EQ(e["repeats"]["scenarios"], 2);
  const json& left = r["scenarios"][0]["leftovers"];
  ASSERT_EQ(left.size(), 2u) << left;
  EXPECT_EQ(left[0]["kind"], "fifo");
  EXPECT_EQ(left[0]["name"], "up.fifo");
  EXPECT_EQ(left[0]["reclaimed"], true);
  expect_matches(left[0]["creator"], R"(^server \(pid \d+\)$)");
  expect_matches(left[0]["opened_by"][0], R"(^client \(pid \d+\)$)");
}

TEST_P(Syllabus, AFifoOpenedReadWriteNeverSeesEndOfFileAndIsExplained) {
  const json r = grade("fifo-chat", "variants/rdwr", 1);
  // Stopped in the deadlock before either program reached its unlink: not charged twice.
  EXPECT_EQ(failed_checks(r), (std::set<std::string>{kServed, kBothExit, kRdwr}));
  EXPECT_EQ(r["score"], 55);
  expect_matches(check_named(r, kNothingLeft)["feedback"].get<std::string>(),
                 "^Not judged: the run was stopped before it could clean up");
  expect_matches(check_named(r, kNothingLeft)["feedback"].get<std::string>(),
                 "FIFO up\\.fifo was left in 'three lines' when the run was stopped \\(deadlock\\)");
  const json& e = check_named(r, kRdwr)["evidence"][0];
  EXPECT_EQ(e["call"], "open(\"up.fifo\", O_RDWR) = 3");
  EXPECT_EQ(e["at"], "server.c:30");
  EXPECT_EQ(e["detail"],
            "FIFO up.fifo opened O_RDWR: the process holds a write end of it itself, so a read never sees "
            "end-of-file and it cannot tell when the other side has gone (× 2 scenarios)");
  EXPECT_EQ(r["scenarios"][0]["outcome"], "deadlock");
  expect_matches(
      explanation(r),
      R"(^server \(pid \d+\) is blocked in read on FIFO up\.fifo \(fd 3\); it opened up\.fifo O_RDWR, )"
      R"(so it holds a write end itself and never sees end-of-file — open a FIFO O_RDONLY to read it\.$)");
}

TEST_P(Syllabus, BothSidesOpeningForReadingFirstIsADeadlockAtOpen) {
  const json r = grade("fifo-chat", "variants/both-read-first", 1);
  EXPECT_EQ(failed_checks(r), (std::set<std::string>{kReplies, kServed, kBothExit}));
  EXPECT_EQ(r["score"], 40);
  expect_matches(check_named(r, kNothingLeft)["feedback"].get<std::string>(),
                 "^Not judged: the run was stopped");
  EXPECT_EQ(r["scenarios"][0]["outcome"], "deadlock");
  const std::string why = explanation(r);
  expect_matches(why,
                 R"(server \(pid \d+\) waits in open\("up\.fifo", O_RDONLY\) for a process to open it for )"
                 R"(writing; no live process will)");
  expect_matches(why,
                 R"(client \(pid \d+\) waits in open\("down\.fifo", O_RDONLY\) for a process to open it )"
                 R"(for writing; no live process will)");
  EXPECT_NE(why.find("both sides open a FIFO for reading first: open the FIFOs in the same order in both "
                     "programs"),
            std::string::npos)
      << why;
}

TEST_P(Syllabus, AReceiveBufferBelowMsgsizeFailsEveryTimeAndIsNamed) {
  const json r = grade("posix-mq-relay", "variants/small-receive-buffer", 1);
  EXPECT_EQ(failed_checks(r),
            (std::set<std::string>{kRelayed, kSent, kBothExit, kNothingInDev, kBuffers, kClosed, kPage}));
  // The client's count holds in the visible scenario: that part of its check scores (points split by
  // scenario); the status page's removal is charged by the leftovers check alone.
  EXPECT_NEAR(r["score"].get<double>(), 26.67, 0.01);
  const json& e = check_named(r, kBuffers)["evidence"][0];
  EXPECT_EQ(e["process"], "server");
  EXPECT_EQ(e["call"], "mq_receive(3, ..., 64, ...) = -1 EMSGSIZE");
  EXPECT_EQ(e["at"], "server.c:51");
  expect_matches(
      e["detail"],
      R"(^a 64-byte buffer for queue /posix-mq-relay-[0-9a-f]+, whose mq_msgsize is )"
      R"(128: every receive fails with EMSGSIZE, whatever the message's length \(× 2 scenarios\)$)");
  EXPECT_NE(check_named(r, kBuffers)["feedback"].get<std::string>().find("attr.mq_msgsize bytes"),
            std::string::npos);
  // The server gave up: in the larger scenario the client fills the queue and waits on it for ever.
  EXPECT_EQ(r["scenarios"][1]["outcome"], "deadlock");
  expect_matches(explanation(r, 1), R"(^client \(pid \d+\) is blocked in mq_send on the full queue )"
                                    R"(/posix-mq-relay-[0-9a-f]+; no live process will receive\.$)");
  // The queue and the page it left are named with the calls that made them.
  std::set<std::string> kinds;
  for (const auto& l : r["scenarios"][0]["leftovers"]) {
    kinds.insert(l["kind"].get<std::string>());
    EXPECT_EQ(l["reclaimed"], true) << l;
    expect_matches(l["call"], l["kind"] == "posix-mq"
                                  ? R"(^mq_open\("/posix-mq-relay-[0-9a-f]+", O_RDONLY\|O_CREAT)"
                                  : R"(^shm_open\("/posix-mq-relay-[0-9a-f]+", O_RDWR\|O_CREAT)");
  }
  EXPECT_EQ(kinds, (std::set<std::string>{"posix-mq", "posix-shm"}));
}

TEST_P(Syllabus, AQueueNeverUnlinkedIsNamedAtItsMqOpen) {
  const json r = grade("posix-mq-relay", "variants/no-mq-unlink", 1);
  // Charged once, by the leftovers check (first in the file); the usage check says so.
  EXPECT_EQ(failed_checks(r), (std::set<std::string>{kNothingInDev}));
  EXPECT_EQ(r["score"], 90);
  const json& e = check_named(r, kNothingInDev)["evidence"].at(0);
  expect_matches(e["call"], R"(^mq_open\("/posix-mq-relay-[0-9a-f]+", O_RDONLY\|O_CREAT\|O_EXCL, 0600, )"
                            R"(\{mq_maxmsg=10, mq_msgsize=128\}\) = 3$)");
  EXPECT_EQ(e["at"], "server.c:23");
  expect_matches(e["detail"],
                 R"(^POSIX message queue /posix-mq-relay-[0-9a-f]+ \(mode 0600, \d+ bytes\) was left )"
                 R"(behind and has been removed by the grader)");
  expect_matches(check_named(r, kClosed)["feedback"],
                 R"(Queue /posix-mq-relay-[0-9a-f]+ was never removed in 'five messages': charged by )"
                 R"('nothing is left in /dev/mqueue or /dev/shm'\.)");
  ASSERT_EQ(r["scenarios"][0]["leftovers"].size(), 1u);
  EXPECT_EQ(r["scenarios"][0]["leftovers"][0]["kind"], "posix-mq");
}

TEST_P(Syllabus, AStatusPageNeverUnlinkedCostsItsShare) {
  const json r = grade("posix-mq-relay", "variants/status-never-unlinked", 1);
  EXPECT_EQ(failed_checks(r), (std::set<std::string>{kNothingInDev}));
  EXPECT_EQ(r["score"], 90);
  const json& e = check_named(r, kNothingInDev)["evidence"].at(0);
  expect_matches(e["call"],
                 R"(^shm_open\("/posix-mq-relay-[0-9a-f]+", O_RDWR\|O_CREAT\|O_EXCL, 0600\) = 4$)");
  EXPECT_EQ(e["at"], "server.c:29");
  expect_matches(e["detail"],
                 R"(^POSIX shared memory object /posix-mq-relay-[0-9a-f]+ \(mode 0600, 132 bytes\) )"
                 R"(was left behind)");
  ASSERT_EQ(r["scenarios"][0]["leftovers"].size(), 1u);
  EXPECT_EQ(r["scenarios"][0]["leftovers"][0]["kind"], "posix-shm");
  EXPECT_EQ(r["scenarios"][0]["leftovers"][0]["bytes"], 132);
}

INSTANTIATE_TEST_SUITE_P(Modes, Syllabus, ::testing::Values("namespaces", "tracked"),
                         [](const auto& p) { return p.param; });
