// The checks of FIFOs and POSIX objects judged on hand-made traces: fifo-usage, mq-usage, shm-usage's
// POSIX shared memory, message-size's mq_send and assigned-key's names. Score, status, feedback and
// evidence for each aspect.
#include <gtest/gtest.h>

#include "tests/check_fixtures.hpp"

using namespace ipcgrade;
using namespace ipcgrade::testing;

namespace {

trace::Event mkfifo(long pid, const std::string& process, const std::string& path, long fifo) {
  return call(pid, process, "mkfifo", {{"pathname", path}, {"mode", "0600"}, {"fifo", std::to_string(fifo)}},
              0);
}
trace::Event open_fifo(long pid, const std::string& process, const std::string& path, long fifo,
                       const std::string& flags, const std::string& end, long fd) {
  return call(pid, process, "open",
              {{"pathname", path}, {"flags", flags}, {"fifo", std::to_string(fifo)}, {"end", end}}, fd);
}
trace::Event unlink(long pid, const std::string& process, const std::string& path, long fifo) {
  return call(pid, process, "unlink", {{"pathname", path}, {"fifo", std::to_string(fifo)}}, 0);
}

trace::Event mq_open(long pid, const std::string& process, const std::string& name, const std::string& oflag,
                     long fd, const std::string& msgsize = "") {
  std::map<std::string, std::string> args = {{"name", name}, {"oflag", oflag}};
  if (!msgsize.empty()) {
    args["mode"] = "0600";
    args["mq_maxmsg"] = "10";
    args["mq_msgsize"] = msgsize;
  }
  return call(pid, process, "mq_open", args, fd);
}

}  // namespace

TEST(FifoUsageCheck, AFifoNeverUnlinkedIsLeftBehindAtItsMkfifo) {
  const auto a = assignment_with("  - {name: fifos, type: fifo-usage, points: 10}\n");
  std::vector<trace::Event> events = {mkfifo(1000, "server", "up.fifo", 1),
                                      mkfifo(1000, "server", "down.fifo", 2),
                                      unlink(1000, "server", "down.fifo", 2)};
  events[0].at = "server.c:20";
  const auto r = only(a, {with_trace(events)});
  EXPECT_EQ(r.status, checks::Status::Failed);
  EXPECT_EQ(r.score, 0);
  ASSERT_EQ(r.evidence.size(), 1u);
  EXPECT_EQ(r.evidence[0].call, "mkfifo(\"up.fifo\", 0600) = 0");
  EXPECT_EQ(r.evidence[0].at, "server.c:20");
  EXPECT_EQ(r.evidence[0].detail,
            "FIFO up.fifo was left behind: it stays in its folder after the programs end");
  EXPECT_NE(r.feedback.find("Unlink each FIFO with unlink(path) when both sides are done with it"),
            std::string::npos)
      << r.feedback;
  // Unlinked by the other side: passes.
  events.push_back(unlink(1001, "client", "up.fifo", 1));
  const auto fixed = only(a, {with_trace(events)});
  EXPECT_EQ(fixed.status, checks::Status::Passed);
  EXPECT_EQ(fixed.score, 10);
  EXPECT_EQ(fixed.feedback, "Every FIFO was unlinked, and none was opened O_RDWR.");
}

TEST(FifoUsageCheck, AFifoOpenedReadWriteFailsUnlessAllowed) {
  const auto a = assignment_with("  - {name: fifos, type: fifo-usage, remove: false, points: 10}\n");
  std::vector<trace::Event> events = {mkfifo(1000, "server", "up.fifo", 1),
                                      open_fifo(1000, "server", "up.fifo", 1, "O_RDWR", "read/write", 3),
                                      open_fifo(1001, "client", "up.fifo", 1, "O_WRONLY", "write", 3)};
  const auto r = only(a, {with_trace(events)});
  EXPECT_EQ(r.status, checks::Status::Failed);
  ASSERT_EQ(r.evidence.size(), 1u);
  EXPECT_EQ(r.evidence[0].call, "open(\"up.fifo\", O_RDWR) = 3");
  EXPECT_EQ(r.evidence[0].process, "server");
  EXPECT_EQ(r.evidence[0].detail,
            "FIFO up.fifo opened O_RDWR: the process holds a write end of it itself, so a read never sees "
            "end-of-file and it cannot tell when the other side has gone");
  const auto allowed =
      assignment_with("  - {name: fifos, type: fifo-usage, rdwr: true, remove: false, points: 10}\n");
  EXPECT_EQ(only(allowed, {with_trace(events)}).status, checks::Status::Passed);
}

TEST(MqUsageCheck, AReceiveBufferSmallerThanTheQueuesMsgsizeFails) {
  const auto a =
      assignment_with("  - {name: queues, type: mq-usage, close: false, unlink: false, points: 10}\n");
  std::vector<trace::Event> events = {
      mq_open(1000, "server", "/relay", "O_RDONLY|O_CREAT|O_EXCL", 3, "128"),
      call(1000, "server", "mq_receive", {{"mqdes", "3"}, {"msg_len", "64"}}, -1, EMSGSIZE),
      mq_open(1001, "client", "/relay", "O_WRONLY", 3),
      call(1001, "client", "mq_send", {{"mqdes", "3"}, {"msg_len", "10"}, {"msg_prio", "0"}}),
  };
  events[1].at = "server.c:58";
  const auto r = only(a, {with_trace(events)});
  EXPECT_EQ(r.status, checks::Status::Failed);
  EXPECT_EQ(r.score, 0);
  ASSERT_EQ(r.evidence.size(), 1u);
  EXPECT_EQ(r.evidence[0].call, "mq_receive(3, ..., 64, ...) = -1 EMSGSIZE");
  EXPECT_EQ(r.evidence[0].at, "server.c:58");
  EXPECT_EQ(r.evidence[0].detail,
            "a 64-byte buffer for queue /relay, whose mq_msgsize is 128: every receive fails with EMSGSIZE, "
            "whatever the message's length");
  EXPECT_NE(r.feedback.find("attr.mq_msgsize bytes"), std::string::npos) << r.feedback;
  // A queue made without attributes has the kernel's 8192 bytes.
  events[0] = mq_open(1000, "server", "/relay", "O_RDONLY|O_CREAT", 3);
  events[1] = call(1000, "server", "mq_receive", {{"mqdes", "3"}, {"msg_len", "128"}}, -1, EMSGSIZE);
  const auto by_default = only(a, {with_trace(events)});
  ASSERT_EQ(by_default.evidence.size(), 1u);
  EXPECT_NE(by_default.evidence[0].detail.find("whose mq_msgsize is 8192"), std::string::npos);
}

TEST(MqUsageCheck, DescriptorsAreClosedAndQueuesUnlinked) {
  const auto a = assignment_with("  - {name: queues, type: mq-usage, receive_buffer: false, points: 10}\n");
  std::vector<trace::Event> events = {
      mq_open(1000, "server", "/relay", "O_RDONLY|O_CREAT", 3, "64"),
      mq_open(1001, "client", "/relay", "O_WRONLY", 3),
      call(1001, "client", "mq_close", {{"mqdes", "3"}, {"name", "/relay"}}),
      ended(1001, "client", "0"),
      ended(1000, "server", "0"),
  };
  const auto r = only(a, {with_trace(events)});
  EXPECT_EQ(r.status, checks::Status::Failed);
  ASSERT_EQ(r.evidence.size(), 2u);
  EXPECT_EQ(r.evidence[0].process, "server");
  EXPECT_EQ(r.evidence[0].detail,
            "descriptor 3 of queue /relay was never closed with mq_close before the process ended");
  EXPECT_EQ(
      r.evidence[1].detail,
      "queue /relay was never removed with mq_unlink: it stays in the kernel (and in /dev/mqueue), with any "
      "messages in it, after the programs end");
  // Closed and unlinked (by any process): passes.
  events.insert(events.begin() + 4, call(1000, "server", "mq_close", {{"mqdes", "3"}, {"name", "/relay"}}));
  events.insert(events.begin() + 5, call(1000, "server", "mq_unlink", {{"name", "/relay"}}));
  const auto fixed = only(a, {with_trace(events)});
  EXPECT_EQ(fixed.status, checks::Status::Passed);
  EXPECT_EQ(fixed.feedback, "Every queue descriptor was closed, every queue was unlinked.");
}

TEST(ShmUsageCheck, PosixSharedMemoryIsSizedUnmappedAndUnlinked) {
  const auto a = assignment_with("  - {name: page, type: shm-usage, size: 132, points: 9}\n");
  std::vector<trace::Event> events = {
      call(1000, "server", "shm_open",
           {{"name", "/status"}, {"oflag", "O_RDWR|O_CREAT|O_EXCL"}, {"mode", "0600"}}, 3),
      call(1000, "server", "ftruncate", {{"fd", "3"}, {"length", "4096"}, {"name", "/status"}}, 0),
      call(1000, "server", "mmap",
           {{"addr", "NULL"},
            {"length", "4096"},
            {"prot", "PROT_READ|PROT_WRITE"},
            {"flags", "MAP_SHARED"},
            {"fd", "3"},
            {"offset", "0"},
            {"address", "0x7f0000001000"},
            {"name", "/status"}},
           0x7f0000001000),
      ended(1000, "server", "0"),
  };
  const auto r = only(a, {with_trace(events)});
  EXPECT_EQ(r.status, checks::Status::Failed);
  EXPECT_EQ(r.score, 0);  // every aspect failed
  ASSERT_EQ(r.evidence.size(), 3u);
  EXPECT_EQ(r.evidence[0].call, "ftruncate(3, 4096) = 0");
  EXPECT_EQ(r.evidence[0].detail, "shared memory object /status should be 132 bytes");
  EXPECT_EQ(r.evidence[1].call, "mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_SHARED, 3, 0) = 0x7f0000001000");
  EXPECT_EQ(r.evidence[1].detail,
            "the mapping of /status at 0x7f0000001000 was never unmapped: the process exited while it was "
            "mapped; call munmap(0x7f0000001000, 4096) when done with it");
  EXPECT_EQ(
      r.evidence[2].detail,
      "shared memory object /status was never removed: it stays in /dev/shm after the programs end; call "
      "shm_unlink(\"/status\") when it is no longer needed");
  // Unmapped and unlinked: only the size fails, a third of the points.
  events.insert(
      events.begin() + 3,
      call(1000, "server", "munmap", {{"addr", "0x7f0000001000"}, {"length", "4096"}, {"name", "/status"}}));
  events.insert(events.begin() + 4, call(1000, "server", "shm_unlink", {{"name", "/status"}}, 0));
  const auto sized = only(a, {with_trace(events)});
  EXPECT_EQ(sized.status, checks::Status::Failed);
  EXPECT_DOUBLE_EQ(sized.score, 6);
  ASSERT_EQ(sized.evidence.size(), 1u);
}

TEST(MessageSizeCheck, MqSendIsJudgedAgainstThePayload) {
  const auto a = assignment_with("  - {name: sizes, type: message-size, payload: 10, points: 10}\n");
  std::vector<trace::Event> events = {
      call(1001, "client", "mq_send", {{"mqdes", "3"}, {"msg_len", "10"}, {"msg_prio", "0"}}),
  };
  const auto r = only(a, {with_trace(events)});
  EXPECT_EQ(r.status, checks::Status::Passed);
  EXPECT_EQ(r.feedback, "Every message was sent with the payload size.");
  events.push_back(call(1001, "client", "mq_send", {{"mqdes", "3"}, {"msg_len", "128"}, {"msg_prio", "0"}}));
  const auto wrong = only(a, {with_trace(events)});
  EXPECT_EQ(wrong.status, checks::Status::Failed);
  ASSERT_EQ(wrong.evidence.size(), 1u);
  EXPECT_EQ(wrong.evidence[0].call, "mq_send(3, ..., 128, 0)");
  EXPECT_EQ(wrong.evidence[0].detail, "msg_len 128 is not the payload size (10 bytes)");
  EXPECT_NE(wrong.feedback.find("mq_send's msg_len is the number of bytes of the message itself"),
            std::string::npos)
      << wrong.feedback;
}

TEST(AssignedKeyCheck, PosixObjectsUseTheStudentsNames) {
  const auto a = assignment_with("  - {name: names, type: assigned-key, points: 10}\n");
  // The fixture's key is 0x5000 and the assignment's id "relay": the name is /relay-5000.
  std::vector<trace::Event> events = {mq_open(1000, "server", "/relay-5000", "O_RDONLY|O_CREAT", 3, "64")};
  const auto r = only(a, {with_trace(events)});
  EXPECT_EQ(r.status, checks::Status::Passed);
  EXPECT_EQ(r.feedback, "Every IPC object was opened with one of your assigned keys or names.");
  events.push_back(call(1000, "server", "shm_open",
                        {{"name", "/status"}, {"oflag", "O_RDWR|O_CREAT"}, {"mode", "0600"}}, 4));
  const auto wrong = only(a, {with_trace(events)});
  EXPECT_EQ(wrong.status, checks::Status::Failed);
  ASSERT_EQ(wrong.evidence.size(), 1u);
  EXPECT_EQ(wrong.evidence[0].call, "shm_open(\"/status\", O_RDWR|O_CREAT, 0600) = 4");
  EXPECT_EQ(wrong.evidence[0].detail, "name /status is not one of your names (/relay-5000)");
}

TEST(SemUsageCheck, ANamedSemaphoreNeverUnlinkedIsNamedAtItsSemOpen) {
  const auto a = assignment_with("  - {name: sems, type: sem-usage, points: 10}\n");
  std::vector<trace::Event> events = {
      call(1000, "server", "sem_open", {{"name", "/lock"}, {"oflag", "O_RDWR|O_CREAT"}, {"mode", "0600"}})};
  events[0].at = "server.c:12";
  const auto r = only(a, {with_trace(events)});
  EXPECT_EQ(r.status, checks::Status::Failed);
  EXPECT_EQ(r.score, 0);
  ASSERT_EQ(r.evidence.size(), 1u);
  EXPECT_EQ(r.evidence[0].call, "sem_open(\"/lock\", O_RDWR|O_CREAT, 0600)");
  EXPECT_EQ(r.evidence[0].at, "server.c:12");
  EXPECT_EQ(
      r.evidence[0].detail,
      "named semaphore /lock was never removed with sem_unlink: it stays in /dev/shm, with its value, after "
      "the programs end");
  events.push_back(call(1001, "client", "sem_unlink", {{"name", "/lock"}}, 0));
  EXPECT_EQ(only(a, {with_trace(events)}).status, checks::Status::Passed);
}
