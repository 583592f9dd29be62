// Each parameter of each check type at the edge where it alone decides the verdict: two checks that
// differ in that parameter only, judged on the same run, get different verdicts (status or score). A
// parameter whose edge needs a real run (an exit by a signal a `signals:` step sent, a child left
// unreaped, objects whose cleanup a grader's stop cut short) is decided by the named test elsewhere.
// CheckEdges.EveryParameterHasItsEdge asks the loader which keys each check type accepts (its
// unknown-key error lists them) and fails for one with no edge here and no test named for it: a new
// parameter comes with its edge.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "checks/make_checks.hpp"
#include "grader/config/error.hpp"
#include "tests/check_fixtures.hpp"

namespace ipcgrade::testing {
namespace {

struct Edge {
  std::string type, param;
  std::string one, other;  // the check's parameters, as flow-map entries (", per_object: 2")
  std::function<run::ScenarioResult()> run;
};

run::ScenarioResult traced(std::vector<trace::Event> events) {
  return with_trace(std::move(events));
}

trace::Event msgget(const std::string& key, const std::string& mode, long id = 0) {
  return call(1000, "server", "msgget", {{"key", key}, {"flags", "IPC_CREAT|" + mode}, {"mode", mode}}, id);
}
trace::Event msgsnd(const std::string& size, const std::string& mtype = "1") {
  return call(1001, "client", "msgsnd", {{"msqid", "0"}, {"mtype", mtype}, {"msgsz", size}, {"msgflg", "0"}},
              0);
}
trace::Event msgrcv(const std::string& type) {
  return call(1000, "server", "msgrcv", {{"msqid", "0"}, {"msgsz", "72"}, {"msgtyp", type}, {"msgflg", "0"}},
              72);
}
trace::Event shmget(const std::string& size) {
  return call(1000, "server", "shmget",
              {{"key", "0x00005000"}, {"size", size}, {"flags", "IPC_CREAT|0600"}, {"mode", "0600"}}, 7);
}
trace::Event shmat(const std::string& address = "0x7f0000001000") {
  return call(1000, "server", "shmat",
              {{"shmid", "7"}, {"shmaddr", "NULL"}, {"shmflg", "0"}, {"address", address}});
}
trace::Event semget(const std::string& nsems) {
  return call(1000, "server", "semget",
              {{"key", "0x00005000"}, {"nsems", nsems}, {"flags", "IPC_CREAT|0600"}}, 3);
}
trace::Event semctl(const std::string& cmd) {
  return call(1000, "server", "semctl", {{"semid", "3"}, {"semnum", "0"}, {"cmd", cmd}, {"value", "1"}}, 0);
}
trace::Event semop(const std::string& flag) {
  return call(1001, "client", "semop",
              {{"semid", "3"}, {"sops", "[{sem_num=0, sem_op=-1, sem_flg=" + flag + "}]"}, {"nsops", "1"}},
              0);
}
trace::Event mkfifo(const std::string& path, long fifo) {
  return call(1000, "server", "mkfifo",
              {{"pathname", path}, {"mode", "0600"}, {"fifo", std::to_string(fifo)}}, 0);
}
trace::Event mq_open(const std::string& name) {
  return call(1000, "server", "mq_open",
              {{"name", name},
               {"oflag", "O_RDWR|O_CREAT"},
               {"mode", "0600"},
               {"mq_maxmsg", "10"},
               {"mq_msgsize", "64"}},
              3);
}
trace::Event pipe_write(const std::string& tail) {
  return call(1000, "server", "write",
              {{"fd", "4"}, {"count", "10"}, {"pipe", "1"}, {"end", "write"}, {"tail", tail}});
}
trace::Event pipe_made() {
  return call(1000, "server", "pipe", {{"pipe", "1"}, {"read_fd", "3"}, {"write_fd", "4"}}, 0);
}
trace::Event pipe_read_holding_write_end(long pipe) {
  return call(1001, "client", "read",
              {{"fd", "3"},
               {"count", "4096"},
               {"pipe", std::to_string(pipe)},
               {"end", "read"},
               {"holds_write_end", "fd 4"}});
}

run::Leftover queue_left(int key) {
  run::Leftover q;
  q.kind = trace::IpcKind::MsgQueue;
  q.key = key;
  q.mode = 0600;
  q.reclaimed = true;
  return q;
}

const std::vector<Edge>& edges() {
  static const std::vector<Edge> all = {
      {"output", "stdout", "process: server, stdout: {equals: \"served 2\\n\"}",
       "process: server, stdout: {equals: \"served 3\\n\"}", relay_run},
      {"output", "stderr", "process: server, stderr: {equals: \"\"}",
       "process: server, stderr: {equals: \"oops\\n\"}", relay_run},
      {"output", "exit", "process: server, stdout: {contains: served}, exit: 0",
       "process: server, stdout: {contains: served}, exit: 2", relay_run},
      {"exit", "code", "process: server, code: 0", "process: server, code: 1", relay_run},
      {"no-leftovers", "per_object", "per_object: 2", "",
       [] {
         auto s = relay_run();
         s.leftovers = {queue_left(0x5000), queue_left(0x5001)};
         return s;
       }},
      {"assigned-key", "allow_private", "allow_private: true", "",
       [] { return traced({msgget("IPC_PRIVATE", "0600")}); }},
      {"assigned-key", "per_violation", "per_violation: 2", "",
       [] {
         return traced({msgget("0x00001234", "0600"), msgget("0x00001235", "0600", 1)});
       }},
      {"permissions", "allow", "allow: [0644]", "", [] { return traced({msgget("0x00005000", "0644")}); }},
      {"permissions", "per_violation", "per_violation: 2", "",
       [] {
         return traced({msgget("0x00005000", "0644"), msgget("0x00005000", "0640", 1)});
       }},
      {"message-size", "payload", "payload: 72", "payload: 80", [] { return traced({msgsnd("72")}); }},
      {"message-size", "per_violation", "payload: 80, per_violation: 2", "payload: 80",
       [] {
         return traced({msgsnd("72"), msgsnd("76")});
       }},
      {"type-filter", "msgtyp", "msgtyp: 1", "msgtyp: 2", [] { return traced({msgrcv("1")}); }},
      {"type-filter", "per_violation", "msgtyp: 3, per_violation: 2", "msgtyp: 3",
       [] {
         return traced({msgrcv("1"), msgrcv("2")});
       }},
      {"shm-usage", "size", "size: {min: 4096}, detach: false, remove: false",
       "size: {min: 8192}, detach: false, remove: false", [] { return traced({shmget("4096")}); }},
      {"shm-usage", "detach", "detach: false, remove: false", "remove: false",
       [] {
         return traced({shmget("4096"), shmat(), ended(1000, "server", "0")});
       }},
      {"shm-usage", "remove", "remove: false", "", [] { return traced({shmget("4096")}); }},
      {"shm-usage", "shares", "shares: {size: 1, detach: 1, remove: 2}",
       "shares: {size: 1, detach: 2, remove: 1}",
       [] {
         return traced({shmget("4096"), shmat(),
                        call(1000, "server", "shmctl", {{"shmid", "7"}, {"cmd", "IPC_RMID"}}),
                        ended(1000, "server", "0")});
       }},
      {"shm-usage", "per_violation", "remove: false, per_violation: 1", "remove: false",
       [] {
         return traced({shmget("4096"), shmat(), shmat("0x7f0000002000"), ended(1000, "server", "0")});
       }},
      {"sem-usage", "initialized", "initialized: false, remove: false", "remove: false",
       [] {
         return traced({semget("1"), semop("SEM_UNDO")});
       }},
      {"sem-usage", "remove", "remove: false", "",
       [] {
         return traced({semget("1"), semctl("SETVAL")});
       }},
      {"sem-usage", "undo", "remove: false", "remove: false, undo: true",
       [] {
         return traced({semget("1"), semctl("SETVAL"), semop("0")});
       }},
      {"sem-usage", "nsems", "remove: false, nsems: 1", "remove: false, nsems: 2",
       [] {
         return traced({semget("1"), semctl("SETVAL")});
       }},
      {"sem-usage", "shares", "shares: {initialized: 3, remove: 1}", "shares: {initialized: 1, remove: 3}",
       [] {
         return traced({semget("1"), semctl("SETVAL")});
       }},
      {"sem-usage", "per_violation", "remove: false, undo: true, per_violation: 2",
       "remove: false, undo: true",
       [] {
         return traced({semget("1"), semctl("SETVAL"), semop("0"), semop("IPC_NOWAIT")});
       }},
      {"fifo-usage", "remove", "remove: false", "", [] { return traced({mkfifo("up.fifo", 1)}); }},
      {"fifo-usage", "rdwr", "remove: false, rdwr: true", "remove: false",
       [] {
         return traced(
             {mkfifo("up.fifo", 1),
              call(1001, "client", "open",
                   {{"pathname", "up.fifo"}, {"flags", "O_RDWR"}, {"fifo", "1"}, {"end", "read/write"}}, 3)});
       }},
      {"fifo-usage", "per_violation", "per_violation: 2", "",
       [] {
         return traced({mkfifo("up.fifo", 1), mkfifo("down.fifo", 2)});
       }},
      {"mq-usage", "receive_buffer", "receive_buffer: false, close: false, unlink: false",
       "close: false, unlink: false",
       [] {
         return traced({mq_open("/relay"), call(1000, "server", "mq_receive",
                                                {{"mqdes", "3"}, {"msg_len", "32"}}, -1, EMSGSIZE)});
       }},
      {"mq-usage", "close", "close: false, unlink: false", "unlink: false",
       [] {
         return traced({mq_open("/relay"), ended(1000, "server", "0")});
       }},
      {"mq-usage", "unlink", "close: false, unlink: false", "close: false",
       [] { return traced({mq_open("/relay")}); }},
      {"mq-usage", "per_violation", "close: false, per_violation: 2", "close: false",
       [] {
         return traced({mq_open("/relay"), mq_open("/other")});
       }},
      {"pipe-messages", "terminator", "terminator: \"\\n\"", "terminator: \"\\n\\0\"",
       [] {
         return traced({pipe_made(), pipe_write("message 0\\n")});
       }},
      {"pipe-messages", "per_violation", "terminator: \"\\n\\0\", per_violation: 2", "terminator: \"\\n\\0\"",
       [] {
         return traced({pipe_made(), pipe_write("message 0\\n"), pipe_write("message 1\\n")});
       }},
      {"ipc-errors", "per_violation", "per_violation: 2", "",
       [] {
         return traced(
             {semget("2"),
              call(1000, "server", "semctl",
                   {{"semid", "3"}, {"semnum", "10"}, {"cmd", "SETVAL"}, {"value", "1"}}, -1, EINVAL),
              call(1001, "client", "semop",
                   {{"semid", "3"}, {"sops", "[{sem_num=5, sem_op=-1, sem_flg=0}]"}, {"nsops", "1"}}, -1,
                   EFBIG)});
       }},
      {"pipe-closure", "per_violation", "per_violation: 2", "",
       [] {
         return traced({pipe_made(), pipe_read_holding_write_end(1), pipe_read_holding_write_end(2)});
       }},
  };
  return all;
}

// Parameters decided by a test that needs more than a trace: the test's name, in the file named.
const std::map<std::pair<std::string, std::string>, std::pair<std::string, std::string>> kElsewhere = {
    {{"exit", "signal"}, {"tests/checks_test.cpp", "SignalsTimeoutsAndCodes"}},
    {{"exit", "reap"}, {"tests/endings_test.cpp", "reap: true"}},
    {{"no-leftovers", "judge_after_stop"},
     {"tests/endings_test.cpp", "type: no-leftovers, judge_after_stop: true"}},
    {{"sem-usage", "judge_after_stop"},
     {"tests/endings_test.cpp", "type: sem-usage, initialized: false, judge_after_stop"}},
    {{"shm-usage", "judge_after_stop"},
     {"tests/check_edges_test.cpp", "CutShortCleanupIsJudgedOnlyWhenAsked"}},
    {{"fifo-usage", "judge_after_stop"},
     {"tests/check_edges_test.cpp", "CutShortCleanupIsJudgedOnlyWhenAsked"}},
    {{"mq-usage", "judge_after_stop"},
     {"tests/check_edges_test.cpp", "CutShortCleanupIsJudgedOnlyWhenAsked"}},
};

report::CheckResult judged(const Edge& e, const std::string& params) {
  const auto a = assignment_with("  - {name: edge, type: " + e.type + ", scenarios: [relay], points: 10" +
                                 (params.empty() ? "" : ", " + params) + "}\n");
  return only(a, {e.run()});
}

// The keys a check type accepts besides the ones every check has, from the loader's own error.
std::set<std::string> accepted_keys(const std::string& type) {
  try {
    assignment_with("  - {name: edge, type: " + type + ", points: 10, zzz_unknown: 1}\n");
  } catch (const config::ConfigError& e) {
    const std::string text = e.what();
    const auto list = text.find("expected one of: ");
    std::set<std::string> keys;
    if (list == std::string::npos) return keys;
    std::stringstream in(text.substr(list + 17));
    std::string key;
    while (std::getline(in, key, ',')) {
      key.erase(0, key.find_first_not_of(' '));
      keys.insert(key);
    }
    for (const char* shared : {"name", "type", "points", "scenarios", "process", "runs", "optional"})
      keys.erase(shared);  // those every check has (`optional`: NothingToJudge.*)
    return keys;
  }
  return {};
}

class CheckEdges : public ::testing::TestWithParam<size_t> {};

TEST_P(CheckEdges, TheParameterAloneDecides) {
  const Edge& e = edges()[GetParam()];
  SCOPED_TRACE(e.type + " " + e.param + ": {" + e.one + "} against {" + e.other + "}");
  const auto one = judged(e, e.one), other = judged(e, e.other);
  EXPECT_NE(std::make_pair(one.status, one.score), std::make_pair(other.status, other.score))
      << "the same verdict either way: " << one.feedback;
  // Each side is a verdict on the run, not a mistake in the check's parameters.
  for (const auto* r : {&one, &other})
    EXPECT_EQ(r->feedback.find("Not judged"), std::string::npos) << r->feedback;
}

INSTANTIATE_TEST_SUITE_P(Edges, CheckEdges, ::testing::Range<size_t>(0, edges().size()),
                         [](const auto& edge) {
                           std::string name = edges()[edge.param].type + "_" + edges()[edge.param].param;
                           for (char& c : name) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return name;
                         });

TEST(CheckEdgesInventory, EveryParameterHasItsEdge) {
  std::set<std::pair<std::string, std::string>> covered;
  for (const auto& e : edges()) covered.insert({e.type, e.param});
  for (const auto type : checks::check_type_names()) {
    const std::set<std::string> keys = accepted_keys(std::string(type));
    EXPECT_FALSE(keys.empty() && type != "pipe-closure") << type;
    for (const auto& key : keys) {
      const std::pair<std::string, std::string> p{std::string(type), key};
      if (covered.count(p)) continue;
      const auto elsewhere = kElsewhere.find(p);
      if (elsewhere == kElsewhere.end()) {
        ADD_FAILURE() << type << "'s parameter '" << key << "' has no edge";
        continue;
      }
      std::ifstream in(std::string(SOURCE_DIR) + "/" + elsewhere->second.first);
      const std::string text((std::istreambuf_iterator<char>(in)), {});
      EXPECT_NE(text.find(elsewhere->second.second), std::string::npos)
          << type << " " << key << ": " << elsewhere->second.first << " no longer has "
          << elsewhere->second.second;
    }
  }
}

// judge_after_stop for shm-usage, fifo-usage and mq-usage: the maker was stopped by the grader before it
// could clean up; without judge_after_stop the missing cleanup is not judged, with it, it is.
TEST(CheckEdgesInventory, CutShortCleanupIsJudgedOnlyWhenAsked) {
  const std::vector<std::pair<std::string, std::vector<trace::Event>>> cases = {
      {"shm-usage", {shmget("4096")}},
      {"fifo-usage", {mkfifo("up.fifo", 1)}},
      {"mq-usage", {mq_open("/relay")}},
  };
  for (const auto& [type, events] : cases) {
    SCOPED_TRACE(type);
    auto run = traced(events);
    run.outcome = run::Outcome::Deadlock;
    run.stopped = {1000};
    const auto a =
        assignment_with("  - {name: stopped, type: " + type + ", scenarios: [relay], points: 10}\n");
    const auto b = assignment_with("  - {name: stopped, type: " + type +
                                   ", scenarios: [relay], points: 10, judge_after_stop: true}\n");
    const auto lenient = only(a, {run}), strict = only(b, {run});
    EXPECT_EQ(lenient.score, 10) << lenient.feedback;
    EXPECT_LT(strict.score, 10) << strict.feedback;
  }
}

}  // namespace
}  // namespace ipcgrade::testing

namespace ipcgrade::testing {
namespace {

// A usage check that finds none of what it judges fails with what it expected (a solution with no
// semaphore at all does not pass "the semaphore is a lock done right"); `optional: true` passes it with
// the same words; a `process:` selector is named.
TEST(NothingToJudge, AUsageCheckThatFoundNothingFailsUnlessOptional) {
  const auto run = relay_run();  // outputs only: no IPC call at all
  const auto strict = only(assignment_with("  - {name: lock, type: sem-usage, points: 15}\n"), {run});
  EXPECT_EQ(strict.status, checks::Status::Failed);
  EXPECT_EQ(strict.score, 0);
  EXPECT_EQ(
      strict.feedback,
      "Nothing to judge: no semget or sem_open was made in any scenario (the assignment expects a System V "
      "semaphore set or a named semaphore).");
  EXPECT_TRUE(strict.evidence.empty());
  const auto lenient =
      only(assignment_with("  - {name: lock, type: sem-usage, optional: true, points: 15}\n"), {run});
  EXPECT_EQ(lenient.status, checks::Status::Passed);
  EXPECT_EQ(lenient.score, 15);
  EXPECT_EQ(
      lenient.feedback,
      "Nothing to judge (optional): no semget or sem_open was made in any scenario (the assignment expects "
      "a System V semaphore set or a named semaphore).");
  const auto client =
      only(assignment_with("  - {name: keys, type: assigned-key, process: client, points: 5}\n"),
           {with_trace({call(1000, "server", "msgget",
                             {{"key", "0x00005000"}, {"flags", "0600"}, {"mode", "0600"}}, 0)})});
  EXPECT_EQ(
      client.feedback,
      "Nothing to judge: no msgget, shmget, semget, mq_open, shm_open or sem_open was made by client in any "
      "scenario (the assignment expects an IPC object made or opened by its key or name).");
  // Checks of what every run has are never "nothing to judge"; `optional` on them is a mistake.
  EXPECT_EQ(only(assignment_with("  - {name: clean, type: no-leftovers, points: 5}\n"), {run}).status,
            checks::Status::Passed);
  try {
    checks::make_checks(
        assignment_with("  - {name: clean, type: no-leftovers, optional: true, points: 5}\n"));
    ADD_FAILURE() << "optional was accepted on no-leftovers";
  } catch (const config::ConfigError& e) {
    EXPECT_NE(
        std::string(e.what()).find("'optional' is for checks that can find nothing to judge; a no-leftovers "
                                   "check judges what every run has"),
        std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace ipcgrade::testing
