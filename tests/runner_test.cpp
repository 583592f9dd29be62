// The runner and the sandbox, driven through `ipcgrade grade` on small shell-script submissions:
// ordering (`ready:`), placeholders, stdin, output caps, the wall limit, and the leftover audit.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>

#include "tests/host_clean.hpp"
#include "tests/run_cli.hpp"

using namespace ipcgrade::testing;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

class Runner : public HostCleanTest {
 protected:
  // Writes assignment.yaml with `body` into a fresh folder, grades an empty submission folder.
  json grade(const std::string& body, int expected_code, const std::vector<std::string>& extra = {}) {
    dir_.write("assignment.yaml", "assignment: runner-test\n" + body);
    fs::create_directories(dir_.path() / "alice");
    std::vector<std::string> args{"grade", dir_.path().string(), (dir_.path() / "alice").string(), "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    last_ = run_ipcgrade(args);
    EXPECT_EQ(last_.code, expected_code) << last_.err << last_.out;
    try {
      return json::parse(last_.out);
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what() << "\n" << last_.out << last_.err;
      return json::object();
    }
  }

  // The command line holds the arguments separated by NULs: "sleep 30" is looked for as "sleep\030".
  static bool process_alive_with(std::string marker) {
    std::replace(marker.begin(), marker.end(), ' ', '\0');
    return !processes_with(marker).empty();
  }

  TempDir dir_;
  CliResult last_;
};

}  // namespace

TEST_F(Runner, WallLimitStopsTheWholeTreeDaemonsIncluded) {
  IPCGRADE_SKIP_WITHOUT_NAMESPACES();
  const json r = grade(R"(limits: {wall: 500ms}
scenarios:
  - name: sleepy
    processes:
      - name: sleeper
        run: ["sh", "-c", "(setsid sleep 31.4159 &); sleep 27.1828"]
checks:
  - {name: exits, type: exit, points: 1}
)",
                       1);
  const json& s = r["scenarios"][0];
  EXPECT_EQ(s["outcome"], "timeout");
  EXPECT_EQ(s["outcome_detail"], "wall limit 500ms");
  EXPECT_GE(s["seconds"].get<double>(), 0.5);
  EXPECT_LT(s["seconds"].get<double>(), 2.0);  // generous: catches a grader that waits the sleep out
  EXPECT_LT(last_.seconds, 10.0);
  // The grader's stop: SIGTERM first, which the shell does not catch.
  EXPECT_EQ(s["processes"][0]["signal"], SIGTERM);
  EXPECT_EQ(s["processes"][0]["killed_by_grader"], true);
  EXPECT_EQ(r["checks"][0]["evidence"][0]["detail"],
            "sleeper #0 (pid 1000) was still running at the wall limit 500ms and was stopped with SIGTERM");
  EXPECT_FALSE(process_alive_with("27.1828"));
  EXPECT_FALSE(process_alive_with("31.4159"));  // the daemon died with the run's PID namespace
}

TEST_F(Runner, ReadyConditionsOrderTheStarts) {
  const json r = grade(R"(scenarios:
  - name: order
    processes:
      - name: a
        run: ["sh", "-c", "echo a1 >> log; echo ready; sleep 0.3; echo a2 >> log"]
        ready: stdout ^ready$
      - name: b
        run: ["sh", "-c", "echo b >> log"]
        ready: exit
      - name: c
        run: ["sh", "-c", "echo c >> log"]
        ready: 600ms
      - name: d
        run: cat log
)",
                       0);
  const json& procs = r["scenarios"][0]["processes"];
  ASSERT_EQ(procs.size(), 4u);
  EXPECT_EQ(procs[3]["stdout"], "a1\nb\nc\na2\n");
  EXPECT_EQ(procs[0]["stdout"], "ready\n");
}

TEST_F(Runner, ReadyIpcStartsTheNextProcessOnceAQueueExists) {
  const json r = grade(R"(scenarios:
  - name: ipc
    processes:
      - name: server
        run: ["sh", "-c", "sleep 0.3; ipcmk -Q > /dev/null; sleep 0.5; ipcrm --all=msg"]
        ready: ipc
      - name: client
        run: ["sh", "-c", "ipcs -q | grep -c '^0x'"]
)",
                       0);
  const json& procs = r["scenarios"][0]["processes"];
  EXPECT_EQ(procs[1]["stdout"], "1\n");  // started after the queue appeared, before it went
  EXPECT_TRUE(r["scenarios"][0]["leftovers"].empty());
}

TEST_F(Runner, PlaceholdersCountAndStdin) {
  dir_.write("input.txt", "file for {student} #{index}\n");
  const json r = grade(R"(keys: {base: 0x5000, count: 2}
scenarios:
  - name: fill
    processes:
      - name: echo
        run: ["sh", "-c", "echo {index} {key} {key1} {key_hex} {student}; cat", "{assignment}"]
        count: 2
        stdin: "text {index}\n"
      - name: file
        run: cat
        stdin_file: input.txt
)",
                       0, {"--student", "bob"});
  const json& procs = r["scenarios"][0]["processes"];
  ASSERT_EQ(procs.size(), 3u);
  EXPECT_EQ(procs[0]["stdout"], "0 20480 20481 0x5000 bob\ntext 0\n");
  EXPECT_EQ(procs[1]["stdout"], "1 20480 20481 0x5000 bob\ntext 1\n");
  EXPECT_EQ(procs[2]["stdout"], "file for bob #0\n");
  EXPECT_EQ(r["student"], "bob");
  EXPECT_EQ(r["keys"], json::array({"0x00005000", "0x00005001"}));
}

TEST_F(Runner, OutputIsCappedAndTheCutIsMarked) {
  const json r = grade(R"(limits: {output: 1KiB}
scenarios:
  - name: flood
    processes:
      - name: flood
        run: ["sh", "-c", "head -c 100000 /dev/zero | tr '\\0' x; echo done >&2"]
)",
                       0);
  const std::string out = r["scenarios"][0]["processes"][0]["stdout"];
  EXPECT_EQ(out, std::string(1024, 'x') + "\n[... 98976 bytes cut ...]\n");
  EXPECT_EQ(r["scenarios"][0]["processes"][0]["stderr"], "done\n");
}

TEST_F(Runner, AProgramThatDoesNotExistIsAGradedFailure) {
  const json r = grade(R"(scenarios:
  - name: missing
    processes:
      - {name: ghost, run: ./ghost}
      - {name: after, run: echo still runs}
checks:
  - {name: exits, type: exit, points: 5}
)",
                       1);
  EXPECT_EQ(r["checks"][0]["evidence"][0]["detail"],
            "ghost #0 could not be started: ./ghost: No such file or directory");
  EXPECT_EQ(r["scenarios"][0]["processes"][0]["start_error"], "./ghost: No such file or directory");
  EXPECT_EQ(r["scenarios"][0]["processes"][1]["stdout"], "still runs\n");
  EXPECT_EQ(r["score"], 0);
}

TEST_F(Runner, LeftoversOfEveryKindAreListedAndReclaimed) {
  const json r = grade(R"(scenarios:
  - name: leak
    processes:
      - name: leaker
        run: ["sh", "-c", "ipcmk -Q -p 0640 && ipcmk -M 8192 && ipcmk -S 3"]
checks:
  - {name: clean, type: no-leftovers, per_object: 1, points: 5}
)",
                       1);
  const json& left = r["scenarios"][0]["leftovers"];
  ASSERT_EQ(left.size(), 3u);
  EXPECT_EQ(left[0]["kind"], "msg");
  EXPECT_EQ(left[0]["mode"], "0640");
  EXPECT_EQ(left[1]["kind"], "shm");
  EXPECT_EQ(left[1]["size"], 8192);
  EXPECT_EQ(left[2]["kind"], "sem");
  EXPECT_EQ(left[2]["semaphores"], 3);
  for (const auto& l : left) EXPECT_EQ(l["reclaimed"], true);
  EXPECT_EQ(r["checks"][0]["score"], 2);
  EXPECT_EQ(
      r["checks"][0]["feedback"],
      "1 message queue, 1 semaphore set and 1 shared memory segment were left behind after the programs "
      "exited; remove message queues with msgctl(id, IPC_RMID, NULL), semaphore sets with semctl(id, 0, "
      "IPC_RMID) and shared memory segments with shmctl(id, IPC_RMID, NULL) once each is no longer needed.");
}

TEST_F(Runner, TheHostsObjectsAreNeitherSeenNorTouched) {
  IPCGRADE_SKIP_WITHOUT_NAMESPACES();
  // A queue and a segment of the host's own, which a hostile submission tries to list and remove.
  const int host_queue = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
  ASSERT_GE(host_queue, 0);
  const json r = grade(R"(scenarios:
  - name: vandal
    processes:
      - name: vandal
        run: ["sh", "-c", "ipcrm --all; ipcrm -q 0; ipcs -q | grep -c '^0x'"]
)",
                       0);
  struct msqid_ds info;
  EXPECT_EQ(msgctl(host_queue, IPC_STAT, &info), 0) << "the host's queue was removed";
  EXPECT_EQ(r["scenarios"][0]["processes"][0]["stdout"], "0\n");
  EXPECT_TRUE(r["scenarios"][0]["leftovers"].empty());
  msgctl(host_queue, IPC_RMID, nullptr);
}

TEST_F(Runner, StudentsWithoutRootGetTheSameSandbox) {
  IPCGRADE_SKIP_WITHOUT_NAMESPACES();
  if (::geteuid() != 0) GTEST_SKIP() << "already unprivileged: every other test covers this case";
  // As an unprivileged user the grader enters a user namespace first; grade a leaking sample that way.
  fs::permissions(dir_.path(), fs::perms::all, fs::perm_options::add);
  const fs::path report = dir_.path() / "report.json";
  const std::string command = std::string("setpriv --reuid=65534 --regid=65534 --clear-groups ") +
                              IPCGRADE_BINARY + " grade " + sample("msgqueue-relay").string() + " " +
                              sample("msgqueue-relay/variants/queue-never-removed").string() + " --json > " +
                              report.string();
  EXPECT_EQ(WEXITSTATUS(std::system(command.c_str())), 1);
  const json r = json::parse(std::ifstream(report));
  EXPECT_EQ(r["mode"], "namespaces");
  EXPECT_EQ(r["score"], 90);
  EXPECT_EQ(r["scenarios"][0]["processes"][0]["pid"], 1000);
  EXPECT_EQ(r["scenarios"][0]["leftovers"][0]["reclaimed"], true);
}

TEST_F(Runner, KeysComeFromTheRoster) {
  dir_.write("roster.csv", "student,key0,key1\nalice,0x7000,0x7001\nbob,12345,12346\n");
  const json r = grade(R"(keys: {count: 2, roster: roster.csv}
scenarios:
  - name: keys
    processes:
      - {name: show, run: "echo {key0} {key1_hex}"}
)",
                       0);
  EXPECT_EQ(r["keys"], json::array({"0x00007000", "0x00007001"}));
  EXPECT_EQ(r["scenarios"][0]["processes"][0]["stdout"], "28672 0x7001\n");
  // A student the roster does not know is an assignment error, not a grade.
  fs::create_directories(dir_.path() / "mallory");
  const CliResult unknown = run_ipcgrade({"grade", dir_.path().string(), (dir_.path() / "mallory").string()});
  EXPECT_EQ(unknown.code, 2);
  EXPECT_EQ(unknown.err,
            fs::canonical(dir_.path() / "roster.csv").string() + ": no row for student 'mallory'\n");
}

TEST_F(Runner, ABuildThatHangsIsStoppedAtItsTimeoutAndScoresZero) {
  const json r = grade(R"(build:
  command: echo compiling; sleep 30.0271 & sleep 29.0172
  timeout: 500ms
scenarios:
  - name: never
    processes:
      - {name: p, run: ./p}
checks:
  - {name: exits, type: exit, points: 5}
)",
                       1);
  EXPECT_EQ(r["build"]["status"], "timeout");
  EXPECT_EQ(r["build"]["log"], "compiling\n\n[build stopped: it ran longer than its 500 ms time limit]\n");
  EXPECT_LT(r["build"]["seconds"].get<double>(), 3.0);
  EXPECT_TRUE(r["scenarios"].empty());
  EXPECT_EQ(r["checks"][0]["score"], 0);
  EXPECT_EQ(r["checks"][0]["feedback"],
            "The build did not finish within its time limit, so nothing could be run; see the build log.");
  EXPECT_FALSE(process_alive_with("sleep 30.0271"));  // the whole build's process group is gone
  EXPECT_FALSE(process_alive_with("sleep 29.0172"));
}

// The watchdog stops a run only when nothing can move; each of these is slow but alive.
TEST_F(Runner, SlowButLiveRunsAreNeverCalledDeadlocked) {
  // The program is part of the submission: the sandbox shows the programs nothing else.
  fs::create_directories(dir_.path() / "alice");
  fs::copy_file(fs::path(PROGRAMS_DIR) / "alarm_pause", dir_.path() / "alice" / "alarm_pause");
  const json r = grade(R"(limits: {wall: 5s}
scenarios:
  - name: sleeping child
    processes:
      - {name: p, run: ["sh", "-c", "sleep 0.6"]}
  - name: reader of a slow writer
    processes:
      - {name: p, run: ["sh", "-c", "sleep 0.6 | cat"]}
  - name: computing
    processes:
      - {name: p, run: ["sh", "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done"]}
  - name: alarm then pause
    processes:
      - {name: p, run: [./alarm_pause]}
)",
                       0);
  for (const auto& s : r["scenarios"]) {
    SCOPED_TRACE(s["name"].get<std::string>());
    EXPECT_EQ(s["outcome"], "completed") << s.dump(2);
    EXPECT_EQ(s["processes"][0]["exit"], 0);
  }
  EXPECT_GE(r["scenarios"][3]["seconds"].get<double>(), 0.9);  // it did wait for its alarm
}

TEST_F(Runner, RootWithoutCapSysAdminEntersAUserNamespaceFirst) {
  IPCGRADE_SKIP_WITHOUT_NAMESPACES();
  // What a container's default profile leaves root with: no CAP_SYS_ADMIN. unshare(IPC|PID|...) is
  // refused, but a user namespace is allowed and the others inside it.
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  const fs::path report = dir_.path() / "report.json";
  const std::string command = std::string("setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin ") +
                              IPCGRADE_BINARY + " grade " + sample("pipe-shout").string() + " " +
                              sample("pipe-shout/variants/writer-keeps-read-end").string() + " --json > " +
                              report.string();
  EXPECT_EQ(WEXITSTATUS(std::system(command.c_str())), 1);
  const json r = json::parse(std::ifstream(report));
  EXPECT_EQ(r["mode"], "namespaces");
  EXPECT_EQ(r["score"], 80);
  for (const auto& s : r["scenarios"]) EXPECT_EQ(s["outcome"], "completed");
}

TEST_F(Runner, AForkBombHitsTheProcessLimit) {
  // Only where a pids cgroup can be made: without one a fork bomb is not something to run here.
  std::error_code ec;
  const fs::path probe = "/sys/fs/cgroup/pids/ipcgrade-probe-" + std::to_string(::getpid());
  if (!fs::create_directory(probe, ec)) GTEST_SKIP() << "no writable pids cgroup on this machine";
  fs::remove(probe, ec);
  const json r = grade(R"(limits: {wall: 5s, processes: 20}
scenarios:
  - name: bomb
    processes:
      - {name: bomb, run: ["sh", "-c", "b() { b & b & wait; }; b; sleep 0.2"]}
)",
                       0);
  const json& s = r["scenarios"][0];
  EXPECT_EQ(s["outcome"], "limit");
  EXPECT_TRUE(std::regex_match(s["outcome_detail"].get<std::string>(),
                               std::regex(R"(process limit 20: forks were refused \(pids cgroup v[12]\))")))
      << s["outcome_detail"];
  EXPECT_LT(last_.seconds, 10.0);
  // The scenario's cgroup is gone with it. (One named for a process still alive is another grading's,
  // going on beside this test: ipcgrade-PID is the supervisor's, and this test's supervisors are gone.)
  for (const auto& e : fs::directory_iterator("/sys/fs/cgroup/pids")) {
    const std::string name = e.path().filename().string();
    if (name.rfind("ipcgrade-", 0) != 0) continue;
    const pid_t owner = static_cast<pid_t>(std::strtol(name.c_str() + 9, nullptr, 10));
    EXPECT_TRUE(owner > 0 && ::kill(owner, 0) == 0) << e.path() << " outlived its grading";
  }
}

// A program that writes a file past limits.file_size is stopped by RLIMIT_FSIZE (SIGXFSZ), and the
// outcome names the limit: without it, a submission could fill the disk.
TEST_F(Runner, AFileWrittenPastTheFileSizeLimitIsStoppedAndNamed) {
  const json r = grade(R"(limits: {file_size: 1MiB}
scenarios:
  - name: big file
    processes:
      - name: writer
        run: ["sh", "-c", "exec head -c 3000000 /dev/zero > big"]
checks:
  - {name: exits, type: exit, points: 1}
)",
                       1);
  const json& s = r["scenarios"][0];
  EXPECT_EQ(s["outcome"], "limit") << s.dump(2);
  EXPECT_TRUE(std::regex_match(s["outcome_detail"].get<std::string>(),
                               std::regex(R"(file size limit 1 MiB: writer #0 \(pid \d+\) wrote past it)")))
      << s["outcome_detail"];
  EXPECT_EQ(s["processes"][0]["signal"], SIGXFSZ);
  EXPECT_EQ(s["enforced"]["file_size"], "1 MiB: RLIMIT_FSIZE");
}

TEST_F(Runner, ASpinningProgramIsStoppedAtItsCpuLimitAndTheLimitIsNamed) {
  IPCGRADE_SKIP_WITHOUT_NAMESPACES();
  const json r = grade(R"(limits: {wall: 20s, cpu: 1s}
scenarios:
  - name: spin
    processes:
      - {name: spin, run: ["sh", "-c", "while :; do :; done"]}
checks:
  - {name: exits, type: exit, points: 1}
)",
                       1);
  const json& s = r["scenarios"][0];
  EXPECT_EQ(s["outcome"], "limit");
  EXPECT_EQ(s["outcome_detail"], "cpu limit 1s: spin #0 (pid 1000) used it up");
  EXPECT_EQ(s["processes"][0]["signal"], 24);   // SIGXCPU
  EXPECT_LT(s["seconds"].get<double>(), 10.0);  // not the 20 s wall limit
  EXPECT_EQ(r["checks"][0]["evidence"][0]["detail"],
            "spin #0 (pid 1000) was killed by SIGXCPU (CPU time limit exceeded); it must exit with code 0");
}

// A reader whose turn never came (the server before it never printed its ready line) is in the report,
// not started, and the check of its output fails with why, instead of passing on nothing. The same
// server making a FIFO with `ready: ipc` lets the reader start: ipc readiness fires on FIFOs too.
TEST_F(Runner, AProcessThatNeverStartedFailsItsChecksWithWhy) {
  const std::string checks =
      "checks:\n  - {name: the reader prints the message, type: output, process: reader, stdout: {equals: "
      "\"hello\\n\"}, points: 40}\n  - {name: everyone exits, type: exit, process: reader, points: 10}\n";
  const json r = grade(
      "limits: {wall: 1s}\nscenarios:\n  - name: s\n    processes:\n"
      "      - {name: server, run: [sh, -c, 'mkfifo f; sleep 3'], ready: stdout ^ready$}\n"
      "      - {name: reader, run: [sh, -c, 'echo hello']}\n" +
          checks,
      1);
  const json& reader = r["scenarios"][0]["processes"][1];
  EXPECT_EQ(reader["name"], "reader");
  EXPECT_TRUE(
      std::regex_match(reader.value("start_error", ""),
                       std::regex(R"(server #0 \(pid \d+\) never became ready \(ready: stdout '\^ready\$' )"
                                  R"(never matched; it printed nothing\))")))
      << reader;
  for (const auto& c : r["checks"]) {
    EXPECT_EQ(c["status"], "failed") << c;
    EXPECT_EQ(c["score"], 0) << c;
    EXPECT_NE(c["feedback"].get<std::string>().find("reader #0 never started: server #0 (pid "),
              std::string::npos)
        << c["feedback"];
    EXPECT_NE(c["feedback"].get<std::string>().find(
                  ") never became ready (ready: stdout '^ready$' never matched; it printed nothing)"),
              std::string::npos)
        << c["feedback"];
  }
  const json fifo = grade(
      "limits: {wall: 5s}\nscenarios:\n  - name: s\n    processes:\n"
      "      - {name: server, run: [sh, -c, 'mkfifo f; sleep 0.3; rm f'], ready: ipc}\n"
      "      - {name: reader, run: [sh, -c, 'echo hello']}\n" +
          checks,
      0);
  EXPECT_EQ(fifo["score"], 50) << fifo.dump(2);
  // `ready: {path: NAME}`: the reader starts once the FIFO is there (it checks, and prints only then).
  const json path = grade(
      "limits: {wall: 5s}\nscenarios:\n  - name: s\n    processes:\n"
      "      - {name: server, run: [sh, -c, 'sleep 0.2; mkfifo f; sleep 0.5; rm f'], ready: {path: f}}\n"
      "      - {name: reader, run: [sh, -c, 'test -p f && echo hello']}\n" +
          checks,
      0);
  EXPECT_EQ(path["score"], 50) << path.dump(2);
}

// `ipc-errors` on a real program: ftok of a missing file (key 0xffffffff), a SETVAL past the set's end
// and a semop on a semaphore that is not there, each named at its line with the set's size; the
// IPC_NOWAIT semop is traced to its result because the check asks for failures.
TEST_F(Runner, FailedIpcCallsAreNamedAtTheirLine) {
  dir_.write("alice/p.c",
             "#include <sys/ipc.h>\n#include <sys/msg.h>\n#include <sys/sem.h>\n"
             "int main(void) {\n"
             "  int q = msgget(ftok(\"/no/such/file\", 'x'), IPC_CREAT | 0600);\n"
             "  int s = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);\n"
             "  semctl(s, 10, SETVAL, 1);\n"
             "  struct sembuf op = {5, -1, IPC_NOWAIT};\n"
             "  semop(s, &op, 1);\n"
             "  semctl(s, 0, IPC_RMID);\n"
             "  msgctl(q, IPC_RMID, 0);\n"
             "  return 0;\n"
             "}\n");
  dir_.write("alice/Makefile", "p: p.c\n\tcc -g -o p p.c\n");
  const json r = grade(
      "build: {command: make, timeout: 60s}\nscenarios:\n  - name: s\n    processes:\n      - {name: p, run: "
      "./p}\n"
      "checks:\n  - {name: no IPC call fails, type: ipc-errors, points: 10}\n",
      1);
  const json& c = r["checks"][0];
  EXPECT_EQ(c["status"], "failed");
  EXPECT_EQ(c["score"], 0);
  ASSERT_EQ(c["evidence"].size(), 3u) << c.dump(2);
  EXPECT_EQ(c["evidence"][0]["at"], "p.c:5");
  // The set's id is 0 in a fresh IPC namespace, the host's next id in tracked mode.
  EXPECT_TRUE(std::regex_match(c["evidence"][1]["call"].get<std::string>(),
                               std::regex(R"(semctl\(\d+, 10, SETVAL, 1\) = -1 EINVAL)")))
      << c["evidence"][1];
  EXPECT_EQ(c["evidence"][1]["at"], "p.c:7");
  EXPECT_NE(
      c["evidence"][1]["detail"].get<std::string>().find("semaphore 10 is past the set's end — the set has 2 "
                                                         "semaphores (0..1)"),
      std::string::npos);
  EXPECT_TRUE(std::regex_match(
      c["evidence"][2]["call"].get<std::string>(),
      std::regex(R"(semop\(\d+, \[\{sem_num=5, sem_op=-1, sem_flg=IPC_NOWAIT\}\], 1\) = -1 EFBIG)")))
      << c["evidence"][2];
  EXPECT_EQ(c["evidence"][2]["at"], "p.c:9");
}
