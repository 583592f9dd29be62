// Grades every sample solution and every buggy variant with the real binary, as an instructor would,
// and asserts the scores, which checks fail, and the evidence a student would read.
#include <gtest/gtest.h>

#include <regex>

#include <map>
#include <set>

#include "tests/host_clean.hpp"
#include "tests/report_json.hpp"
#include "tests/run_cli.hpp"

using namespace ipcgrade::testing;
using nlohmann::json;

namespace {

class Sample : public HostCleanTest {
 protected:
  // `grade`'s arguments for assignments/<assignment>/<submission>.
  static std::vector<std::string> grading(const std::string& assignment, const std::string& submission,
                                          const std::string& isolation) {
    return {"grade",
            sample(assignment).string(),
            sample(assignment + "/" + submission).string(),
            "--json",
            "--isolation",
            isolation};
  }
  // The JSON report of a grading that exited with `expected_code`.
  static json report_of(const CliResult& r, int expected_code, const std::string& what) {
    EXPECT_EQ(r.code, expected_code) << what << ": " << r.err << r.out;
    try {
      return json::parse(r.out);
    } catch (const std::exception& e) {
      ADD_FAILURE() << what << ": not JSON: " << e.what() << "\n" << r.out << r.err;
      return json::object();
    }
  }

  // Grades assignments/<assignment>/<submission> and returns the JSON report.
  json grade(const std::string& assignment, const std::string& submission, int expected_code,
             const std::string& isolation = "auto") {
    return report_of(run_ipcgrade(grading(assignment, submission, isolation)), expected_code,
                     assignment + "/" + submission);
  }

  // Grades each of (assignment, submission, isolation), two at a time where run_ipcgrade_each may, and
  // returns the reports in the same order; each exits with the solution's 0 or a variant's 1.
  struct Grading {
    std::string assignment, submission, isolation = "auto";
  };
  std::vector<json> grade_each(const std::vector<Grading>& gradings) {
    std::vector<std::vector<std::string>> runs;
    for (const auto& g : gradings) runs.push_back(grading(g.assignment, g.submission, g.isolation));
    const std::vector<CliResult> results = run_ipcgrade_each(runs);
    std::vector<json> reports;
    for (size_t i = 0; i < results.size(); ++i)
      reports.push_back(report_of(results[i], gradings[i].submission == "solution" ? 0 : 1,
                                  gradings[i].assignment + "/" + gradings[i].submission));
    return reports;
  }

  static std::set<std::string> failed_checks(const json& report) {
    std::set<std::string> failed;
    for (const auto& c : report["checks"]) {
      if (c["status"] == "failed") failed.insert(c["name"].get<std::string>());
    }
    return failed;
  }

  // Text with the numbers that namespaces mode makes predictable (pids from 1000, IPC ids and
  // descriptors as a fresh namespace gives them) written as N where the machine refuses namespaces and
  // they are the host's: what tracked mode can be held to. Keys (0x...) stay.
  static std::string same(const std::string& text) {
    if (namespaces_available()) return text;
    static const std::regex numbers(R"((pid |id |type |segment |queue |= |\()\d+(?![x\d]))");
    return std::regex_replace(text, numbers, "$1N");
  }
  static std::string same(const char* text) { return same(std::string(text)); }
  static std::string same(const json& text) {
    return same(text.is_string() ? text.get<std::string>() : text.dump());
  }

  static void expect_full_marks(const json& report) {
    EXPECT_EQ(report["score"], report["max_score"]);
    EXPECT_GT(report["max_score"].get<double>(), 0);
    EXPECT_TRUE(failed_checks(report).empty()) << report.dump(2);
    for (const auto& s : report["scenarios"]) {
      EXPECT_EQ(s["outcome"], "completed") << s.dump(2);
      EXPECT_TRUE(s["leftovers"].empty()) << s.dump(2);
    }
    // Where the machine refuses namespaces (a container's profile), `auto` grades in tracked mode and
    // says why.
    if (namespaces_available()) {
      EXPECT_EQ(report["mode"], "namespaces");
    } else {
      EXPECT_EQ(report["mode"], "tracked");
      EXPECT_FALSE(report["mode_reason"].get<std::string>().empty());
    }
    EXPECT_EQ(report["build"]["status"], "ok");
  }
};

}  // namespace

TEST_F(Sample, MessageQueueSolutionGetsFullMarks) {
  const json r = grade("msgqueue-relay", "solution", 0);
  expect_full_marks(r);
  EXPECT_EQ(r["score"], 100);
  // Programs see ordinary pids, well past the request types 1 and 2 (in a PID namespace of their own).
  if (namespaces_available()) {
    for (const auto& p : r["scenarios"][0]["processes"]) EXPECT_GE(p["pid"].get<int>(), 1000);
  }
}

TEST_F(Sample, SharedMemorySolutionGetsFullMarks) {
  expect_full_marks(grade("shm-exchange", "solution", 0));
}

TEST_F(Sample, PipeSolutionGetsFullMarks) {
  expect_full_marks(grade("pipe-shout", "solution", 0));
}

// Every variant fails exactly the checks its bug breaks, and passes all the others.
TEST_F(Sample, EveryVariantFailsExactlyItsChecks) {
  struct Case {
    std::string assignment, variant;
    std::set<std::string> failed;
    double score;
  };
  const std::vector<Case> cases = {
      {"msgqueue-relay", "whole-struct-msgsz", {"msgsz counts the payload, not the mtype"}, 85},
      {"msgqueue-relay", "queue-never-removed", {"the queue is removed"}, 90},
      {"msgqueue-relay", "hard-coded-key", {"msgget uses the assigned key"}, 90},
      {"msgqueue-relay", "mode-0777", {"the queue is private to its owner"}, 95},
      // shm-usage's shares: size 2, detach 4, remove 4 of its 10 points.
      {"shm-exchange", "no-shmdt", {"attach, detach and remove"}, 96},
      // The missing IPC_RMID is charged once, by the leftovers check (first in the file).
      {"shm-exchange", "no-rmid", {"the segment is removed"}, 80},
      {"shm-exchange", "child-never-detaches", {"attach, detach and remove"}, 96},
      {"shm-exchange", "ftok-key", {"shmget uses the assigned key"}, 90},
      {"pipe-shout", "writer-keeps-read-end", {"each process closes the pipe end it does not use"}, 80},
      {"pipe-shout",
       "pipe-after-fork",
       {"the child prints every message in upper case", "many messages arrive one by one",
        "parent and child exit with status 0", "each process closes the pipe end it does not use"},
       10},
      {"pipe-shout",
       "no-nul",
       {"the child prints every message in upper case", "many messages arrive one by one",
        "every message ends with a newline and a NUL"},
       40},
  };
  std::vector<Grading> gradings;
  for (const auto& c : cases) gradings.push_back({c.assignment, "variants/" + c.variant});
  const std::vector<json> reports = grade_each(gradings);
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    const json& r = reports[i];
    SCOPED_TRACE(c.assignment + "/" + c.variant);
    EXPECT_EQ(failed_checks(r), c.failed);
    EXPECT_EQ(r["score"], c.score);
    EXPECT_EQ(r["max_score"], 100);
  }
}

TEST_F(Sample, TrackedModeGivesTheSameVerdictsAsNamespaces) {
  if (!namespaces_available()) GTEST_SKIP() << "this machine refuses namespaces: there is only tracked mode";
  const std::vector<std::pair<std::string, std::string>> submissions = {
      {"msgqueue-relay", "solution"},
      {"msgqueue-relay", "variants/queue-never-removed"},
      {"msgqueue-relay", "variants/msgtyp-zero"},
      {"msgqueue-relay", "variants/whole-struct-msgsz"},
      {"shm-exchange", "solution"},
      {"shm-exchange", "variants/no-rmid"},
      {"shm-exchange", "variants/crash-after-attach"},
      {"pipe-shout", "solution"},
      {"pipe-shout", "variants/reader-keeps-write-end"},
  };
  std::vector<Grading> gradings;
  for (const auto& [assignment, submission] : submissions) {
    gradings.push_back({assignment, submission, "namespaces"});
    gradings.push_back({assignment, submission, "tracked"});
  }
  const std::vector<json> reports = grade_each(gradings);
  for (size_t k = 0; k < submissions.size(); ++k) {
    const auto& [assignment, submission] = submissions[k];
    SCOPED_TRACE(assignment + "/" + submission);
    const json& namespaced = reports[2 * k];
    const json& tracked = reports[2 * k + 1];
    EXPECT_EQ(namespaced["mode"], "namespaces");
    EXPECT_EQ(tracked["mode"], "tracked");
    EXPECT_EQ(failed_checks(tracked), failed_checks(namespaced));
    EXPECT_EQ(tracked["score"], namespaced["score"]);
    ASSERT_EQ(tracked["scenarios"].size(), namespaced["scenarios"].size());
    for (size_t i = 0; i < tracked["scenarios"].size(); ++i) {
      const json &t = tracked["scenarios"][i], &n = namespaced["scenarios"][i];
      EXPECT_EQ(t["outcome"], n["outcome"]) << t["name"];
      EXPECT_EQ(t["leftovers"].size(), n["leftovers"].size()) << t["name"];
      for (const auto& left : t["leftovers"]) {
        EXPECT_EQ(left["reclaimed"], true);
        EXPECT_FALSE(left["at"].get<std::string>().empty()) << left;
      }
    }
  }
}

TEST_F(Sample, WholeStructAsMsgszNamesTheCallAndThePayload) {
  const json r = grade("msgqueue-relay", "variants/whole-struct-msgsz", 1);
  const json& c = check_named(r, "msgsz counts the payload, not the mtype");
  // The client sends its requests with the whole struct, and the server receives them the same way.
  const json* send = nullptr;
  const json* receive = nullptr;
  for (const auto& e : c["evidence"]) {
    if (!send && e["process"] == "client") send = &e;
    if (!receive && e["process"] == "server" && e["call"].get<std::string>().rfind("msgrcv", 0) == 0)
      receive = &e;
  }
  ASSERT_TRUE(send && receive) << c.dump(2);
  // One line of the client's, wrong in every client of both scenarios: one piece of evidence.
  EXPECT_EQ((*send)["detail"],
            "msgsz 80 counts the long mtype; the payload is 64 to 72 bytes (× 5 processes, 2 scenarios)");
  // In an IPC and PID namespace of its own the queue is id 0 and the client pid 1001; on a machine
  // that refuses namespaces (tracked mode) both are the host's.
  if (namespaces_available()) {
    EXPECT_GE((*send)["pid"].get<int>(), 1001);
    EXPECT_EQ((*send)["call"], "msgsnd(0, {mtype=1, ...}, 80, 0)");
    EXPECT_EQ((*receive)["call"], "msgrcv(0, {...}, 80, 1, 0) = 80");
  } else {
    EXPECT_TRUE(std::regex_match((*send)["call"].get<std::string>(),
                                 std::regex(R"(msgsnd\(\d+, \{mtype=1, \.\.\.\}, 80, 0\))")));
    EXPECT_TRUE(std::regex_match((*receive)["call"].get<std::string>(),
                                 std::regex(R"(msgrcv\(\d+, \{\.\.\.\}, 80, 1, 0\) = 80)")));
  }
}

TEST_F(Sample, HardCodedKeyAndModeAreNamed) {
  const json key = grade("msgqueue-relay", "variants/hard-coded-key", 1);
  const json& e = check_named(key, "msgget uses the assigned key")["evidence"][0];
  EXPECT_EQ(e["process"], "server");
  EXPECT_EQ(same(e["call"]), same("msgget(0x00001234, IPC_CREAT|IPC_EXCL|0600) = 0"));
  EXPECT_EQ(e["detail"], "key 0x00001234 is not one of your keys (" + key["keys"][0].get<std::string>() +
                             ") (× 2 scenarios)");
  const json mode = grade("msgqueue-relay", "variants/mode-0777", 1);
  EXPECT_EQ(check_named(mode, "the queue is private to its owner")["evidence"][0]["detail"],
            "mode 0777 is not allowed (allowed: 0600, 0660); execute bits mean nothing for IPC objects; any "
            "user on "
            "the machine could write to it (× 2 scenarios)");
}

TEST_F(Sample, SharedMemoryWithoutShmdtNamesEachAttachment) {
  const json r = grade("shm-exchange", "variants/no-shmdt", 1);
  const json& ev = check_named(r, "attach, detach and remove")["evidence"];
  ASSERT_EQ(ev.size(), 2u);  // writer and reader, each once for both scenarios
  EXPECT_EQ(ev[0]["repeats"]["scenarios"], 2);
  EXPECT_EQ(ev[0]["process"], "writer");
  EXPECT_EQ(same(ev[0]["call"]).rfind(same("shmat(0, NULL, 0) = 0x"), 0), 0u) << ev[0];
  EXPECT_NE(ev[0]["detail"].get<std::string>().find(
                "was never detached: the process exited while attached; call shmdt("),
            std::string::npos)
      << ev[0];
  EXPECT_EQ(ev[1]["process"], "reader");
  EXPECT_EQ(same(ev[1]["call"]).rfind(same("shmat(0, NULL, SHM_RDONLY) = 0x"), 0), 0u) << ev[1];
}

TEST_F(Sample, WriterKeepingTheReadEndIsNamed) {
  const json r = grade("pipe-shout", "variants/writer-keeps-read-end", 1);
  const json& e = check_named(r, "each process closes the pipe end it does not use")["evidence"][0];
  EXPECT_EQ(e["process"], "shout");
  if (namespaces_available()) {
    EXPECT_EQ(e["pid"], 1000);
  }
  EXPECT_EQ(e["call"], "write(4, \"message 0\\n\\0\", 11)");
  EXPECT_EQ(
      e["detail"],
      "writes pipe 1 while it still holds the pipe's read end (fd 3); close the end it does not use (× 2 "
      "scenarios)");
}

TEST_F(Sample, QueueNeverRemovedIsReclaimedAndDeducted) {
  const json r = grade("msgqueue-relay", "variants/queue-never-removed", 1);
  EXPECT_EQ(failed_checks(r), std::set<std::string>{"the queue is removed"});
  EXPECT_EQ(r["score"], 90);
  const json& c = check_named(r, "the queue is removed");
  EXPECT_EQ(c["score"], 0);  // per_object 10, one queue in each of the two scenarios
  EXPECT_EQ(
      c["feedback"],
      "2 message queues were left behind after the programs exited; remove each with msgctl(id, IPC_RMID, "
      "NULL) once it is no longer needed.");
  // One piece for the line that made them, in both scenarios (per_object still counts the two queues).
  ASSERT_EQ(c["evidence"].size(), 1u);
  EXPECT_EQ(c["evidence"][0]["repeats"]["scenarios"], 2);
  const std::string key = r["keys"][0];
  EXPECT_EQ(
      same(c["evidence"][0]["detail"]),
      same("message queue key " + key +
           " (id 0, mode 0600, 1 message(s) still queued) was left behind and has "
           "been removed by the grader; also opened by client (pid 1001), client (pid 1002), client (pid "
           "1003) (× 2 scenarios)"));
  for (const auto& s : r["scenarios"]) {
    ASSERT_EQ(s["leftovers"].size(), 1u);
    EXPECT_EQ(s["leftovers"][0]["kind"], "msg");
    EXPECT_EQ(s["leftovers"][0]["key"], key);
    EXPECT_EQ(s["leftovers"][0]["mode"], "0600");
    EXPECT_EQ(s["leftovers"][0]["reclaimed"], true);
    EXPECT_EQ(same(s["leftovers"][0]["creator"]), same("server (pid 1000)"));
    EXPECT_EQ(same(s["leftovers"][0]["call"]), same("msgget(" + key + ", IPC_CREAT|IPC_EXCL|0600) = 0"));
  }
}

TEST_F(Sample, ClientReceivingTypeZeroStealsAnotherMessage) {
  // With msgtyp 0 the second client takes the first client's "done" message (too big for its buffer:
  // E2BIG), so clients fail, the server waits for ever, and the queue stays. (The first client may
  // even take its own request back, if it sends before the server waits: the failures are the same.)
  // The server never reached its msgctl(IPC_RMID): the deadlock stop cut it short, and the exit check
  // charges that stop; the queue is reclaimed but its removal is not charged a second time.
  const json r = grade("msgqueue-relay", "variants/msgtyp-zero", 1);
  EXPECT_EQ(failed_checks(r),
            (std::set<std::string>{
                "every client gets its own word back", "the server reports how many clients it served",
                "every program exits with status 0", "clients receive only replies of their own pid",
                "the long word comes back in upper case"}));
  EXPECT_EQ(r["score"], 40);
  EXPECT_TRUE(std::regex_search(
      check_named(r, "the queue is removed")["feedback"].get<std::string>(),
      std::regex(
          "^Not judged: the run was stopped before it could clean up \\(2 object\\(s\\) left\\) — see "
          "exit\\. Message queue key 0x[0-9a-f]{8} \\(id \\d+\\) was left in 'three clients' when the run "
          "was stopped \\(deadlock\\), and the grader removed it\\.")));
  EXPECT_EQ(
      same(check_named(r, "clients receive only replies of their own pid")["evidence"][0]["detail"]),
      same("msgtyp 0 — it must receive type 1001 (its own pid); with 0 it takes whatever message is first, "
           "even one "
           "meant for another process (× 5 processes, 2 scenarios)"));
  // The server waits for the clients' "done" messages, which never come: stopped at once, not at the
  // wall limit.
  const std::string key = r["keys"][0];
  for (const auto& s : r["scenarios"]) {
    EXPECT_EQ(s["outcome"], "deadlock");
    EXPECT_EQ(same(s["outcome_detail"]), same("server (pid 1000) is blocked in msgrcv for type 2 on queue " +
                                              key + "; no live process can send it."));
    EXPECT_LT(s["seconds"].get<double>(), 1.0);
  }
  EXPECT_NE(
      r["scenarios"][0]["processes"][2]["stderr"].get<std::string>().find("msgrcv: Argument list too long"),
      std::string::npos);
}

TEST_F(Sample, SubmissionThatDoesNotCompileScoresZeroWithTheCompilerMessage) {
  const json r = grade("msgqueue-relay", "variants/syntax-error", 1);
  EXPECT_EQ(r["score"], 0);
  EXPECT_EQ(r["max_score"], 100);
  EXPECT_EQ(r["build"]["status"], "failed");
  const std::string log = r["build"]["log"];
  EXPECT_NE(log.find("server.c:22:3: error: expected"), std::string::npos) << log;
  EXPECT_NE(log.find("[build command exited with code 2]"), std::string::npos) << log;
  EXPECT_TRUE(r["scenarios"].empty());
  for (const auto& c : r["checks"]) {
    EXPECT_EQ(c["status"], "failed");
    EXPECT_EQ(c["score"], 0);
  }
}

TEST_F(Sample, SegmentNeverRemovedNamesItsCreator) {
  const json r = grade("shm-exchange", "variants/no-rmid", 1);
  const json& left = r["scenarios"][0]["leftovers"];
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0]["kind"], "shm");
  EXPECT_EQ(left[0]["size"], 4096);
  EXPECT_EQ(left[0]["attached"], 0);
  EXPECT_EQ(same(left[0]["creator"]), same("writer (pid 1000)"));
  EXPECT_EQ(left[0]["reclaimed"], true);
  EXPECT_EQ(check_named(r, "the segment is removed")["evidence"][0]["process"], "writer");
  EXPECT_EQ(same(check_named(r, "the segment is removed")["evidence"][0]["call"]),
            same("shmget(" + r["keys"][0].get<std::string>() + ", 4096, IPC_CREAT|IPC_EXCL|0600) = 0"));
}

TEST_F(Sample, CrashAfterAttachingFailsExitAndLeftovers) {
  const json r = grade("shm-exchange", "variants/crash-after-attach", 1);
  // The reader crashed attached: the crash is charged by exit, the segment it left by the leftovers
  // check; shm-usage charges neither again (one mistake costs once) and says why.
  EXPECT_EQ(failed_checks(r),
            (std::set<std::string>{"both programs exit with status 0", "the segment is removed"}));
  const json& shm = check_named(r, "attach, detach and remove");
  EXPECT_EQ(shm["status"], "passed");
  EXPECT_TRUE(shm["evidence"].empty());
  const std::string feedback = shm["feedback"];
  EXPECT_NE(feedback.find("was never removed in 'one message': charged by 'the segment is removed'"),
            std::string::npos)
      << feedback;
  EXPECT_TRUE(std::regex_search(
      feedback, std::regex(R"(Reader \(pid \d+\) was killed by signal 11 while attached to )"
                           R"(0x[0-9a-f]+: detaching is judged only for a process that ends by )"
                           R"(itself\.)")))
      << feedback;
  EXPECT_EQ(same(check_named(r, "both programs exit with status 0")["evidence"][0]["detail"]),
            same("reader #0 (pid 1001) crashed: SIGSEGV at reader.c:30 (address 0x28) (× 2 scenarios)"));
  EXPECT_EQ(r["scenarios"][0]["processes"][1]["signal"], 11);
  EXPECT_EQ(r["scenarios"][0]["leftovers"][0]["kind"], "shm");
  EXPECT_EQ(r["score"], 60);
}

TEST_F(Sample, ReaderKeepingTheWriteEndIsStoppedAsADeadlockAndExplained) {
  const json r = grade("pipe-shout", "variants/reader-keeps-write-end", 1);
  EXPECT_EQ(failed_checks(r),
            (std::set<std::string>{"the child prints every message in upper case",
                                   "many messages arrive one by one", "parent and child exit with status 0",
                                   "each process closes the pipe end it does not use"}));
  const json& e = check_named(r, "each process closes the pipe end it does not use")["evidence"][0];
  if (namespaces_available()) {
    EXPECT_EQ(e["pid"], 1001);
  }
  EXPECT_EQ(e["call"], "read(3, ..., 4096)");
  EXPECT_EQ(e["detail"],
            "reads pipe 1 while it still holds the pipe's write end (fd 4): read will never see end-of-file "
            "while a "
            "write end is open; close it before reading (× 2 scenarios)");
  const std::string why =
      "shout (pid 1001) is blocked in read on the pipe created at shout.c:45 (fd 3); its write end is still "
      "open in "
      "shout itself (fd 4) — "
      "close it before reading; shout (pid 1000) waits in waitpid for a child.";
  for (const auto& s : r["scenarios"]) {
    EXPECT_EQ(s["outcome"], "deadlock");
    EXPECT_EQ(same(s["outcome_detail"]), same(why));
    EXPECT_LT(s["seconds"].get<double>(), 1.0);  // not the 2 s wall limit
  }
  EXPECT_EQ(same(check_named(r, "parent and child exit with status 0")["evidence"][0]["detail"]),
            same("shout #0 (pid 1000) was stopped in a deadlock: " + why +
                 " It ended on SIGTERM. (× 2 scenarios)"));
}

TEST_F(Sample, MessagesWithoutTheirNulRunTogether) {
  const json r = grade("pipe-shout", "variants/no-nul", 1);
  EXPECT_EQ(failed_checks(r), (std::set<std::string>{"the child prints every message in upper case",
                                                     "many messages arrive one by one",
                                                     "every message ends with a newline and a NUL"}));
  EXPECT_EQ(
      same(check_named(r, "the child prints every message in upper case")["evidence"][0]["detail"]),
      same("shout #0 (pid 1000) printed \"MESSAGE 0\\nMESSAGE 1\\nMESSAGE 2\\nreceived 1 messages\\nsent 3 "
           "messages\\n\" on stdout; expected it to be exactly \"MESSAGE 0\\nMESSAGE 1\\nMESSAGE "
           "2\\nreceived 3 "
           "messages\\nsent 3 messages\\n\""));
}

TEST_F(Sample, TheSameSubmissionGetsTheSameVerdictTenTimes) {
  // Concurrency in the samples (three clients, a forked child) must not make verdicts depend on
  // scheduling.
  for (const auto& [assignment, variant] :
       std::vector<std::pair<std::string, std::string>>{{"msgqueue-relay", "variants/whole-struct-msgsz"},
                                                        {"pipe-shout", "variants/writer-keeps-read-end"}}) {
    SCOPED_TRACE(assignment + "/" + variant);
    // Two at a time: a grading beside another is one more schedule it must not depend on.
    const std::vector<json> reports = grade_each(std::vector<Grading>(10, Grading{assignment, variant}));
    const json& first = reports[0];
    for (int i = 1; i < 10; ++i) {
      const json& again = reports[i];
      EXPECT_EQ(again["score"], first["score"]);
      EXPECT_EQ(failed_checks(again), failed_checks(first));
    }
  }
}

// Every failed trace check on the samples points at the right line of the student's source.
TEST_F(Sample, EvidenceNamesTheSourceLine) {
  struct Case {
    std::string assignment, variant, check, process, call, at;
  };
  const std::vector<Case> cases = {
      {"msgqueue-relay", "hard-coded-key", "msgget uses the assigned key", "server", "msgget(",
       "server.c:22"},
      {"msgqueue-relay", "hard-coded-key", "msgget uses the assigned key", "client", "msgget(",
       "client.c:19"},
      {"msgqueue-relay", "mode-0777", "the queue is private to its owner", "server", "msgget(",
       "server.c:22"},
      {"msgqueue-relay", "msgtyp-zero", "clients receive only replies of their own pid", "client", "msgrcv(",
       "client.c:31"},
      {"msgqueue-relay", "queue-never-removed", "the queue is removed", "server", "msgget(", "server.c:22"},
      {"msgqueue-relay", "whole-struct-msgsz", "msgsz counts the payload, not the mtype", "client",
       "msgsnd(0, {mtype=1", "client.c:26"},
      {"msgqueue-relay", "whole-struct-msgsz", "msgsz counts the payload, not the mtype", "client",
       "msgsnd(0, {mtype=2", "client.c:37"},
      {"msgqueue-relay", "whole-struct-msgsz", "msgsz counts the payload, not the mtype", "server",
       "msgrcv(0, {...}, 80, 1", "server.c:39"},
      {"shm-exchange", "ftok-key", "shmget uses the assigned key", "reader", "shmget(", "reader.c:17"},
      {"shm-exchange", "no-rmid", "the segment is removed", "writer", "shmget(", "writer.c:18"},
      {"shm-exchange", "no-shmdt", "attach, detach and remove", "writer", "shmat(", "writer.c:23"},
      {"pipe-shout", "no-nul", "every message ends with a newline and a NUL", "shout", "write(",
       "shout.c:64"},
      {"pipe-shout", "reader-keeps-write-end", "each process closes the pipe end it does not use", "shout",
       "read(", "shout.c:17"},
      {"pipe-shout", "writer-keeps-read-end", "each process closes the pipe end it does not use", "shout",
       "write(", "shout.c:63"},
  };
  std::map<std::string, json> reports;
  std::vector<std::string> ids;
  std::vector<Grading> gradings;
  for (const auto& c : cases) {
    const std::string id = c.assignment + "/" + c.variant;
    if (!reports.emplace(id, json()).second) continue;
    ids.push_back(id);
    gradings.push_back({c.assignment, "variants/" + c.variant});
  }
  const std::vector<json> graded = grade_each(gradings);
  for (size_t i = 0; i < ids.size(); ++i) reports[ids[i]] = graded[i];
  for (const auto& c : cases) {
    SCOPED_TRACE(c.variant + ": " + c.call);
    const std::string id = c.assignment + "/" + c.variant;
    bool found = false;
    for (const auto& e : check_named(reports[id], c.check)["evidence"]) {
      if (e["process"] != c.process || same(e.value("call", "")).rfind(same(c.call), 0) != 0) continue;
      EXPECT_EQ(e["at"], c.at) << e;
      found = true;
    }
    EXPECT_TRUE(found);
  }
  // Leftovers and deadlock explanations name lines too.
  EXPECT_EQ(reports["msgqueue-relay/queue-never-removed"]["scenarios"][0]["leftovers"][0]["at"],
            "server.c:22");
  EXPECT_NE(
      reports["pipe-shout/reader-keeps-write-end"]["scenarios"][0]["outcome_detail"].get<std::string>().find(
          "is blocked in read on the pipe created at shout.c:45 (fd 3)"),
      std::string::npos);
}
