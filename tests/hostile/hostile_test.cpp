// The hostile suite: submissions that attack the grader and the host. Every case runs in `auto`
// mode (namespaces here) and in `tracked` mode, and asserts what an instructor relies on: the grader
// finishes within the wall limit plus a small margin, a report exists with the right outcome, no
// process of the run outlives it, and the host's IPC objects (HostCleanTest), processes and files are
// unchanged.
#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include "tests/host_clean.hpp"
#include "tests/run_cli.hpp"

using namespace ipcgrade::testing;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// A margin for the grader's own work (audit, report) past a scenario's wall limit.
constexpr double kMargin = 5.0;

// The live (not zombie) processes running the program `name`: by /proc/PID/comm (the kernel keeps 15
// characters of it), or by /proc/PID/exe, which names the file even when the run's root is not the host's.
std::vector<pid_t> processes_named(const std::string& name) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string pid = entry.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "stat");
    const std::string stat((std::istreambuf_iterator<char>(in)), {});
    const size_t open = stat.find('('), close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close + 2 >= stat.size()) continue;
    if (stat[close + 2] == 'Z') continue;
    std::string exe = fs::read_symlink(entry.path() / "exe", ec).string();
    if (exe.size() > 10 && exe.compare(exe.size() - 10, 10, " (deleted)") == 0) exe.resize(exe.size() - 10);
    if (stat.substr(open + 1, close - open - 1) == name.substr(0, 15) || fs::path(exe).filename() == name)
      out.push_back(static_cast<pid_t>(std::stoi(pid)));
  }
  return out;
}

bool matches(const json& text, const std::string& pattern) {
  return text.is_string() && std::regex_match(text.get<std::string>(), std::regex(pattern));
}

class Hostile : public HostCleanTest, public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override {
    HostCleanTest::SetUp();
    // Journals of tracked runs go to the test's own folder, not the machine's.
    ::setenv("IPCGRADE_STATE_DIR", state_.path().c_str(), 1);
  }

  void TearDown() override {
    // No process of the run outlives it: none runs a hostile program the test submitted.
    std::vector<pid_t> left;
    auto survivors = [&] {
      std::vector<pid_t> all;
      for (const auto& name : submitted_) {
        for (pid_t pid : processes_named(name)) all.push_back(pid);
      }
      return all;
    };
    for (int i = 0; i < 50 && !(left = survivors()).empty(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_TRUE(left.empty()) << left.size() << " process(es) of the run survived it, e.g. pid " << left[0];
    for (pid_t pid : left) ::kill(pid, SIGKILL);
    HostCleanTest::TearDown();
  }

  // Puts the hostile program `name` into the submission (mallory/), as a student's own program, and
  // returns how the assignment runs it: from the working folder, the only folder of the machine's a
  // sealed run sees besides the system's.
  std::string submit(const std::string& name) {
    fs::create_directories(dir_.path() / "mallory");
    fs::copy_file(fs::path(HOSTILE_DIR) / name, dir_.path() / "mallory" / name,
                  fs::copy_options::overwrite_existing);
    submitted_.push_back(name);
    return "./" + name;
  }

  // Grades the submission (mallory/, with the programs submit() put there) against an assignment with
  // `body`, in this test's isolation mode. Returns the report; asserts it was written and the grader
  // finished in time.
  json grade(const std::string& body, double wall, const std::vector<std::string>& wrapper = {},
             const std::vector<std::string>& extra = {}) {
    dir_.write("assignment.yaml", "assignment: hostile\n" + body);
    fs::create_directories(dir_.path() / "mallory");
    const fs::path report = dir_.path() / "report.yaml";
    std::vector<std::string> args = {"grade",    dir_.path().string(), (dir_.path() / "mallory").string(),
                                     "--json",   "--isolation",        GetParam(),
                                     "--report", report.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    last_ = run_ipcgrade(args, wrapper);
    EXPECT_TRUE(last_.code == 0 || last_.code == 1) << last_.code << last_.err;
    EXPECT_LT(last_.seconds, wall + kMargin);
    EXPECT_TRUE(fs::exists(report));
    try {
      json r = json::parse(last_.out);
      EXPECT_EQ(r["mode"], tracked() ? "tracked" : "namespaces");
      return r;
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what() << "\n" << last_.out << last_.err;
      return json::object();
    }
  }

  // One scenario named `name` with one process of that name running the hostile `program`.
  json grade_one(const std::string& limits, const std::string& name, const std::string& hostile,
                 double wall) {
    return grade("limits: " + limits + "\nscenarios:\n  - name: " + name +
                     "\n    processes:\n      - {name: " + name + ", run: " + submit(hostile) + "}\n",
                 wall);
  }

  // A Unix socket of the host's /tmp that anyone may connect to, listening (non-blocking): what an
  // attack tries to reach. Closed and removed by the caller.
  static int host_listener(const fs::path& path) {
    const int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_un un{};
    un.sun_family = AF_UNIX;
    path.string().copy(un.sun_path, sizeof un.sun_path - 1);
    if (::bind(listener, reinterpret_cast<sockaddr*>(&un), sizeof un) != 0 || ::listen(listener, 64) != 0)
      return -1;
    ::chmod(path.c_str(), 0777);
    return listener;
  }

  // A host socket a test listens on: closed and removed at the end of the test, an early return too.
  struct HostSocket {
    int fd;
    fs::path path;
    ~HostSocket() {
      ::close(fd);
      std::error_code ec;
      fs::remove(path, ec);
    }
  };

  // The grader as a user that is not root (nobody), without Landlock: the folders it grades in opened to
  // it. Only root can become it: as another user, the grader as it is.
  std::vector<std::string> as_nobody_without_landlock() {
    if (::geteuid() != 0) return {};
    for (const auto& p : {dir_.path(), state_.path(), dir_.path() / "mallory"})
      fs::permissions(p, fs::perms::all, fs::perm_options::add);
    return {"/usr/bin/setpriv", "--reuid=65534",         "--regid=65534", "--clear-groups",
            "/usr/bin/env",     "IPCGRADE_LANDLOCK=off", IPCGRADE_BINARY};
  }

  // The grader as root without CAP_SYS_PTRACE, as a container's root runs it (no uid of the run's own).
  static std::vector<std::string> without_ptrace_cap() {
    return {"/usr/sbin/capsh", "--drop=cap_sys_ptrace", std::string("--shell=") + IPCGRADE_BINARY, "--"};
  }

  static const json& scenario(const json& r) { return r["scenarios"][0]; }
  // Tracked mode: asked for, or what `auto` gives where the machine refuses namespaces.
  bool tracked() const { return GetParam() == "tracked" || !namespaces_available(); }

  TempDir dir_, state_;
  CliResult last_;
  std::vector<std::string> submitted_;
};

}  // namespace

TEST_P(Hostile, ForkBombIsStoppedByTheProcessLimit) {
  const json r = grade_one("{wall: 3s, processes: 32}", "bomb", "fork_bomb", 3);
  EXPECT_EQ(scenario(r)["outcome"], "limit");
  // Whatever holds the limit on this machine (a container has no cgroups: the tracer) names it.
  EXPECT_TRUE(matches(
      scenario(r)["outcome_detail"],
      R"(process limit 32: forks were refused (\((pids cgroup v[12]|RLIMIT_NPROC)\)|by the tracer).*)"))
      << scenario(r)["outcome_detail"];
}

// Root in a container: no cgroups (IPCGRADE_CGROUPS=off grades as without them) and, lacking
// CAP_SYS_PTRACE, no uid of the run's own whose RLIMIT_NPROC would bind. The tracer, which sees every
// fork, holds the limit; and every process of the bomb is reaped (the supervisor is the run's
// subreaper), so none is left a zombie.
TEST_P(Hostile, ForkBombAsRootWithoutCgroupsIsStoppedByTheTracer) {
  if (::geteuid() != 0 || ::access("/usr/sbin/capsh", X_OK) != 0) GTEST_SKIP() << "needs root and capsh";
  const std::string run = submit("fork_bomb");
  ::setenv("IPCGRADE_CGROUPS", "off", 1);
  const json r = grade(
      "limits: {wall: 3s, processes: 32}\nscenarios:\n  - name: bomb\n    processes:\n"
      "      - {name: bomb, run: " +
          run + "}\n",
      3, without_ptrace_cap());
  ::unsetenv("IPCGRADE_CGROUPS");
  EXPECT_EQ(scenario(r)["outcome"], "limit");
  EXPECT_TRUE(
      matches(scenario(r)["outcome_detail"], R"(process limit 32: forks were refused by the tracer.*)"))
      << scenario(r)["outcome_detail"];
  EXPECT_EQ(scenario(r)["enforced"]["processes"],
            "32: the tracer refuses forks past it (no pids cgroup and no uid of the run's own here)");
  size_t zombies = 0;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    if (entry.path().filename().string().find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "stat");
    const std::string stat((std::istreambuf_iterator<char>(in)), {});
    zombies += stat.find("(fork_bomb) Z") != std::string::npos ? 1 : 0;
  }
  EXPECT_EQ(zombies, 0u);
}

TEST_P(Hostile, TwoGibibytesOfOutputAreCutAndTheFloodIsStopped) {
  const json r = grade_one("{wall: 20s}", "flood", "output_flood", 20);
  EXPECT_EQ(scenario(r)["outcome"], "limit");
  EXPECT_TRUE(matches(
      scenario(r)["outcome_detail"],
      R"(output cut at 64 KiB: flood #0 \(pid \d+\) wrote [0-9.]+ MiB more to stdout and was stopped)"))
      << scenario(r)["outcome_detail"];
  const std::string out = scenario(r)["processes"][0]["stdout"];
  EXPECT_EQ(out.substr(0, 65536), std::string(65536, 'x'));
  EXPECT_TRUE(std::regex_search(out, std::regex(R"(\[\.\.\. \d+ bytes cut \.\.\.\]\n?$)")))
      << out.substr(65536);
  EXPECT_LT(last_.seconds, 10.0);  // stopped, not read to the end of its 2 GiB nor to the wall limit
}

TEST_P(Hostile, ASetsidDaemonIgnoringSigtermIsKilledAndItsQueuesRemoved) {
  const json r = grade(
      "limits: {wall: 3s}\nscenarios:\n  - name: daemon\n    processes:\n"
      "      - {name: daemon, run: " +
          submit("setsid_daemon") +
          "}\n"
          "      - {name: wait, run: [sleep, '0.5']}\n",
      3);
  EXPECT_EQ(scenario(r)["outcome"], "completed");
  const json& left = scenario(r)["leftovers"];
  EXPECT_GE(left.size(), 2u);
  for (const auto& l : left) {
    EXPECT_EQ(l["kind"], "msg");
    EXPECT_EQ(l["reclaimed"], true);
    EXPECT_TRUE(matches(l["creator"], R"(daemon \(pid \d+\))")) << l;
  }
}

TEST_P(Hostile, KillMinusOneReachesNothingOutsideTheRun) {
  const json r = grade(
      "limits: {wall: 5s}\nscenarios:\n  - name: killer\n    processes:\n"
      "      - {name: bystander, run: [sleep, '1']}\n"
      "      - {name: killer, run: " +
          submit("kill_everything") + "}\n",
      5);
  EXPECT_EQ(scenario(r)["outcome"], "completed");
  const json& bystander = scenario(r)["processes"][0];
  if (tracked()) {
    // No namespace to contain it: the tracer refuses signals to anything but the run's processes.
    EXPECT_EQ(scenario(r)["processes"][1]["stdout"],
              "kill(-1): Operation not permitted\nkill(parent): Operation not permitted\n"
              "kill(1): Operation not permitted\n");
    EXPECT_EQ(bystander["exit"], 0);
  } else {
    // Inside the PID namespace kill(-1) reaches the run's own processes, and only those.
    EXPECT_EQ(bystander["signal"], SIGKILL);
  }
}

TEST_P(Hostile, RemovingEveryIdLeavesTheHostsObjectsAlone) {
  const int queue = ::msgget(IPC_PRIVATE, IPC_CREAT | 0600);
  const int segment = ::shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
  ASSERT_GE(queue, 0);
  ASSERT_GE(segment, 0);
  const json r = grade_one("{wall: 20s}", "vandal", "remove_everything", 20);
  EXPECT_EQ(scenario(r)["outcome"], "completed");
  EXPECT_EQ(scenario(r)["processes"][0]["stdout"], "removed 0\n");
  msqid_ds m{};
  shmid_ds s{};
  EXPECT_EQ(::msgctl(queue, IPC_STAT, &m), 0) << "the host's queue was removed";
  EXPECT_EQ(::shmctl(segment, IPC_STAT, &s), 0) << "the host's segment was removed";
  ::msgctl(queue, IPC_RMID, nullptr);
  ::shmctl(segment, IPC_RMID, nullptr);
}

TEST_P(Hostile, EightGibibytesOfMallocHitTheMemoryLimit) {
  const json r = grade_one("{wall: 10s}", "hog", "malloc_8g", 10);
  EXPECT_EQ(scenario(r)["outcome"], "limit");
  EXPECT_TRUE(
      matches(scenario(r)["outcome_detail"],
              R"(memory limit 256 MiB: hog #0 \(pid \d+\) was refused 8\.0 GiB \(mmap failed with ENOMEM\))"))
      << scenario(r)["outcome_detail"];
  EXPECT_EQ(scenario(r)["processes"][0]["stderr"], "malloc of 8 GiB failed\n");
}

TEST_P(Hostile, FiveThousandLeakedQueuesAndFiveHundredSegmentsAreAllReclaimed) {
  const json r = grade(
      "limits: {wall: 60s}\nscenarios:\n  - name: leak\n    processes:\n"
      "      - {name: leak, run: " +
          submit("leak_many") +
          "}\n"
          "checks:\n  - {name: nothing is left behind, type: no-leftovers, points: 10}\n",
      60);
  EXPECT_EQ(scenario(r)["outcome"], "completed");
  EXPECT_EQ(scenario(r)["processes"][0]["stdout"], "5000 queues, 500 segments\n");
  // The report lists the first 100 and counts the rest: every one was reclaimed.
  const json& left = scenario(r)["leftovers"];
  ASSERT_EQ(left.size(), 100u);
  EXPECT_EQ(scenario(r)["leftovers_total"], 5500);
  EXPECT_EQ(scenario(r)["leftovers_reclaimed"], 5500);
  const json& check = r["checks"][0];
  EXPECT_EQ(check["status"], "failed");
  EXPECT_EQ(check["score"], 0);
  EXPECT_EQ(
      check["feedback"],
      "5000 message queues and 500 shared memory segments were left behind after the programs exited; "
      "remove message queues with msgctl(id, IPC_RMID, NULL) and shared memory segments with shmctl(id, "
      "IPC_RMID, NULL) once each is no longer needed.");
  // One piece of evidence per line that made them, counting the objects it stands for.
  ASSERT_EQ(check["evidence"].size(), 2u) << check["evidence"];
  EXPECT_EQ(check["evidence"][0]["repeats"]["calls"].get<int>() +
                check["evidence"][1]["repeats"]["calls"].get<int>(),
            5500);
}

TEST_P(Hostile, ACpuSpinIsStoppedAtTheCpuLimit) {
  const json r = grade_one("{wall: 10s, cpu: 1s}", "spin", "cpu_spin", 10);
  EXPECT_EQ(scenario(r)["outcome"], "limit");
  EXPECT_TRUE(matches(scenario(r)["outcome_detail"], R"(cpu limit 1s: spin #0 \(pid \d+\) used it up)"))
      << scenario(r)["outcome_detail"];
  EXPECT_LT(last_.seconds, 5.0);
}

TEST_P(Hostile, WritingOutsideTheScratchFolderAndConnectingToLocalhostFail) {
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  sockaddr_in at{};
  at.sin_family = AF_INET;
  at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof at;
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&at), sizeof at), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&at), &len);
  const fs::path outside = dir_.path() / "outside.txt";
  const json r = grade(
      "limits: {wall: 5s}\nscenarios:\n  - name: escape\n    processes:\n"
      "      - {name: escape, run: [" +
          submit("escape") + ", " + outside.string() + ", '" + std::to_string(ntohs(at.sin_port)) + "']}\n",
      5);
  EXPECT_EQ(scenario(r)["outcome"], "completed");
  const std::string out = scenario(r)["processes"][0]["stdout"];
  EXPECT_EQ(out.find("written"), std::string::npos) << out;
  EXPECT_EQ(out.find("connected"), std::string::npos) << out;
  EXPECT_NE(out.find("connect: "), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(outside));
  EXPECT_FALSE(fs::exists("/etc/ipcgrade-hostile-escape"));
  EXPECT_LT(::accept(listener, nullptr, nullptr), 0);  // nobody knocked
  ::close(listener);
}

// A 4 GiB segment under a 256 MiB memory limit: the run's shared memory is counted by the tracer, so the
// segment is never made (shmget fails with ENOMEM, before any memory is taken), and the outcome names the
// limit.
TEST_P(Hostile, AFourGibibyteSegmentFilledWithMemsetHitsTheMemoryLimit) {
  const json r = grade_one("{wall: 10s}", "shm", "shm_4g", 10);
  EXPECT_EQ(scenario(r)["outcome"], "limit");
  EXPECT_TRUE(matches(
      scenario(r)["outcome_detail"],
      R"(memory limit 256 MiB: shm #0 \(pid \d+\) was refused 4\.0 GiB \(shmget failed with ENOMEM\))"))
      << scenario(r)["outcome_detail"];
  EXPECT_TRUE(scenario(r)["leftovers"].empty()) << scenario(r)["leftovers"].dump(2);
}

// The grader's scratch folders under the temporary folder that no live grader holds (see
// build::reclaim_orphan_scratches): what a killed grader leaves.
std::vector<fs::path> orphan_scratches() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(fs::temp_directory_path())) {
    const std::string name = e.path().filename().string();
    if (name.rfind("ipcgrade-", 0) != 0 || name.rfind("ipcgrade-test-", 0) == 0) continue;
    const int fd = ::open((e.path() / ".lock").c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) out.push_back(e.path());
    ::close(fd);
  }
  return out;
}

TEST_P(Hostile, AGraderKilledMidRunTakesTheRunAlongAndItsObjectsAreReclaimed) {
  dir_.write("assignment.yaml",
             "assignment: hostile\nlimits: {wall: 30s}\nscenarios:\n  - name: linger\n"
             "    processes:\n      - {name: linger, run: " +
                 submit("linger") + "}\n");
  const fs::path report = dir_.path() / "report.yaml";
  for (const std::string next : {"audit --reclaim", "the next command"}) {
    const pid_t grader = ::fork();
    if (grader == 0) {
      const int null = ::open("/dev/null", O_RDWR);
      ::dup2(null, 1);
      ::dup2(null, 2);
      ::execl(IPCGRADE_BINARY, "ipcgrade", "grade", dir_.path().c_str(), (dir_.path() / "mallory").c_str(),
              "--isolation", GetParam().c_str(), "--report", report.c_str(), nullptr);
      ::_exit(127);
    }
    // Until the run has made its queues and sleeps (on a loaded machine the build and the start take a
    // while: up to 15 s).
    for (int i = 0; i < 150 && processes_named("linger").empty(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ASSERT_FALSE(processes_named("linger").empty()) << "the run did not start";
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    ::kill(grader, SIGKILL);
    ::waitpid(grader, nullptr, 0);
    for (int i = 0; i < 100 && !processes_named("linger").empty(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_TRUE(processes_named("linger").empty()) << "the run outlived its grader";
    EXPECT_FALSE(fs::exists(report)) << "a killed grader writes no report";
    // Its scratch folder outlives it, and is removed by the next command. (Its lock goes when the last
    // process holding it has died: the supervisor may take a moment longer than the run on a busy machine.)
    auto scratch = orphan_scratches();
    for (int i = 0; i < 100 && scratch.empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      scratch = orphan_scratches();
    }
    EXPECT_EQ(scratch.size(), 1u) << "the killed grader's scratch folder";
    if (!tracked()) {
      // The IPC namespace went with the run: only the scratch folder is left to reclaim.
      const CliResult run = run_ipcgrade({"run", "--", "/bin/true"});
      EXPECT_NE(run.err.find("the scratch folder of a killed ipcgrade run"), std::string::npos) << run.err;
      EXPECT_TRUE(orphan_scratches().empty());
      return;
    }

    // Tracked mode: the queues are on the host, and the journal names them.
    const CliResult listed = run_ipcgrade({"audit", "--json"});
    size_t orphans = 0;
    for (const auto& o : json::parse(listed.out)) orphans += o["orphan"] == true;
    EXPECT_EQ(orphans, 3u) << listed.out;
    if (next == "audit --reclaim") {
      const CliResult reclaimed = run_ipcgrade({"audit", "--reclaim"});
      EXPECT_EQ(reclaimed.code, 0) << reclaimed.out << reclaimed.err;
      // Exactly the three orphans are removed; whatever else the host holds is listed and left alone.
      size_t removed = 0;
      for (size_t at = 0;
           (at = reclaimed.out.find("orphan of a killed ipcgrade run; removed", at)) != std::string::npos;
           ++at)
        ++removed;
      EXPECT_EQ(removed, 3u) << reclaimed.out;
    } else {
      const CliResult run = run_ipcgrade({"run", "--", "/bin/true"});
      EXPECT_EQ(run.code, 0) << run.err;
      EXPECT_NE(run.err.find("left by a killed ipcgrade run"), std::string::npos) << run.err;
    }
    EXPECT_EQ(json::parse(run_ipcgrade({"audit", "--json"}).out).size(), json::parse(listed.out).size() - 3);
    for (const auto& folder : scratch) EXPECT_FALSE(fs::exists(folder)) << folder;
  }
}

TEST_P(Hostile, AScenarioThatHitsALimitCostsOnlyItsOwnChecks) {
  const json r = grade(
      "limits: {wall: 3s, processes: 16}\nscenarios:\n"
      "  - name: good\n    processes:\n"
      "      - {name: hello, run: [sh, -c, 'echo hello']}\n"
      "  - name: bomb\n    processes:\n"
      "      - {name: bomb, run: " +
          submit("fork_bomb") +
          "}\n"
          "checks:\n"
          "  - {name: hello says hello, type: output, scenarios: [good], process: hello,"
          " stdout: {equals: \"hello\\n\"}, points: 10}\n"
          "  - {name: the bomb exits, type: exit, scenarios: [bomb], code: 0, points: 10}\n"
          "  - {name: nothing is left, type: no-leftovers, points: 10}\n",
      6);
  EXPECT_EQ(r["scenarios"][0]["outcome"], "completed");
  EXPECT_EQ(r["scenarios"][1]["outcome"], "limit");
  ASSERT_EQ(r["checks"].size(), 3u);
  EXPECT_EQ(r["checks"][0]["status"], "passed");
  EXPECT_EQ(r["checks"][0]["score"], 10);
  EXPECT_EQ(r["checks"][1]["status"], "failed");
  EXPECT_EQ(r["checks"][1]["score"], 0);
  // Judged on what happened before the kill: the bomb made no IPC object.
  EXPECT_EQ(r["checks"][2]["status"], "passed");
  EXPECT_EQ(r["checks"][2]["score"], 10);
  EXPECT_EQ(r["score"], 20);
}

// A daemon that makes a queue every 10 ms is caught by the end of the run between two queues, or in the
// middle of a msgget: graded twenty times over, no queue of its ever survives the grader (HostCleanTest
// compares the host's objects before and after), and every one it made is reported and reclaimed.
TEST_P(Hostile, ADaemonMakingQueuesWithoutPauseLeavesNoneBehind) {
  const std::string run = submit("queue_daemon");
  // As a container's root grades too (no CAP_IPC_OWNER, so no uid of the run's own): there the trace
  // is the only account of what the run made, and a msgget the kill cut short must still be in it.
  const bool can_drop = tracked() && ::geteuid() == 0 && ::access("/usr/sbin/capsh", X_OK) == 0;
  const std::vector<std::string> without_uid = {"/usr/sbin/capsh", "--drop=cap_ipc_owner",
                                                std::string("--shell=") + IPCGRADE_BINARY, "--"};
  struct Way {
    const char* process;  // the scenario's process line
    double wall;
    const char* outcome;
    int times;
  };
  // A daemon left behind; then the program the runner started, making them itself until the wall
  // limit: each is stopped, then killed.
  for (const Way way : {Way{"{name: daemon, run: RUN}", 3, "completed", 20},
                        Way{"{name: maker, run: [RUN, here]}", 1, "timeout", 3}}) {
    std::string process = way.process;
    process.replace(process.find("RUN"), 3, run);
    for (int i = 0; i < (can_drop ? 2 : 1) * way.times; ++i) {
      SCOPED_TRACE(process + " #" + std::to_string(i));
      // The daemon gets a short orphan grace: each of the forty gradings would otherwise wait a second.
      const json r = grade(
          fmt::format(
              "limits: {{wall: {}s, orphan_grace: 100ms}}\nscenarios:\n  - name: queues\n    processes:\n"
              "      - {}\n",
              way.wall, process),
          way.wall, i >= way.times ? without_uid : std::vector<std::string>{});
      EXPECT_EQ(scenario(r)["outcome"], way.outcome) << scenario(r)["outcome_detail"];
      for (const auto& l : scenario(r)["leftovers"]) EXPECT_EQ(l["reclaimed"], true) << l;
      EXPECT_GE(scenario(r)["leftovers"].size(), 5u) << "it lived 100 ms or more: ten queues or more";
    }
  }
}

// A program started in the background by a shell outlives every process the runner started: the run
// ends with it still there. It is killed with the run, and named, in the outcome and by the exit check,
// so the student learns that their server never ended.
TEST_P(Hostile, AProgramThatOutlivesTheRunIsNamedAndFailsTheExitCheck) {
  const std::string run = submit("linger");
  const json r = grade(
      "limits: {wall: 5s}\nscenarios:\n  - name: background\n    processes:\n"
      "      - {name: server, run: [sh, -c, '" +
          run +
          " & sleep 0.5']}\n"
          "checks:\n  - {name: every program ends, type: exit, points: 10}\n",
      5);
  EXPECT_EQ(scenario(r)["outcome"], "completed");
  ASSERT_EQ(scenario(r)["survivors"].size(), 1u) << scenario(r).dump(2);
  const long pid = scenario(r)["survivors"][0]["pid"];
  const std::string named =
      "server (pid " + std::to_string(pid) + ") was still running when the scenario ended and was killed";
  EXPECT_EQ(scenario(r)["outcome_detail"], named);
  const json& check = r["checks"][0];
  EXPECT_EQ(check["status"], "failed");
  EXPECT_EQ(check["score"], 0);
  EXPECT_EQ(check["feedback"], named);
  ASSERT_EQ(check["evidence"].size(), 1u);
  EXPECT_EQ(check["evidence"][0]["detail"], named);
  EXPECT_EQ(scenario(r)["leftovers"].size(), 3u);  // its queues, reclaimed with it
}

// 13,000 distinct calls against a trace limit of 5,000: the trace keeps the first 5,000, the report says
// how many were not recorded, and the run is judged on what was.
TEST_P(Hostile, DistinctCallsPastTheTraceLimitAreCountedNotKept) {
  const json r = grade_one("{wall: 20s, trace_events: 5000}", "caller", "distinct_calls", 20);
  EXPECT_EQ(scenario(r)["outcome"], "completed");
  EXPECT_EQ(scenario(r)["processes"][0]["stdout"], "13000 calls failed\n");
  // 13,000 calls plus the program's start and exec, past the first 5,000 events.
  EXPECT_GE(scenario(r)["trace_dropped"].get<int>(), 8000);
  EXPECT_LE(scenario(r)["trace_dropped"].get<int>(), 8005);
  EXPECT_EQ(scenario(r)["enforced"]["trace_events"],
            "5000 distinct calls and 64 MiB recorded at most; repeats are counted");
}

// The grader's memory is bounded by the trace's limits, not by what the program does: its peak for a
// million distinct calls is within a few MiB of its peak for as many calls as the trace keeps.
TEST_P(Hostile, AMillionDistinctCallsLeaveTheGradersMemoryFlat) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP()
      << "the grader's memory is measured without the sanitizers (ASan's shadow and quarantine count)";
#endif
  const std::string run = submit("distinct_calls");
  std::map<long, long> peak;  // calls -> KiB
  for (const long calls : {13000L, 100000L, 1000000L}) {
    const json r = grade(
        // The CPU limit too: a million traced calls take the program about 5 s of CPU of its own (each stop
        // is kernel time), the default limit, and more on a busy machine.
        "limits: {wall: 120s, cpu: 60s}\nscenarios:\n  - name: calls\n    processes:\n"
        "      - {name: caller, run: [" +
            run + ", '" + std::to_string(calls) + "']}\n",
        120);
    EXPECT_EQ(scenario(r)["processes"][0]["stdout"], std::to_string(calls) + " calls failed\n");
    peak[calls] = last_.peak_kib;
    RecordProperty("peak_kib_" + std::to_string(calls), std::to_string(last_.peak_kib));
    if (calls == 1000000L) {
      EXPECT_GE(scenario(r)["trace_dropped"].get<long>(), 1000000L - 100000L);
    }
  }
  EXPECT_GT(peak[13000], 0);
  EXPECT_LE(peak[1000000], peak[100000] + peak[100000] / 10 + 4096)
      << "13,000: " << peak[13000] << " KiB, 100,000: " << peak[100000]
      << " KiB, 1,000,000: " << peak[1000000];
  EXPECT_LT(peak[1000000], 128L * 1024) << "KiB at a million distinct calls";
}

// A process of the host (a `sleep` the test owns) signalled by pid every way one can be: kill, tgkill,
// rt_sigqueueinfo, rt_tgsigqueueinfo, pidfd_send_signal. It survives, in namespaces mode because its pid
// is not in the run's PID namespace, in tracked mode because the guard refuses each call — also when
// the grader lacks CAP_SYS_PTRACE (a container's default), where the programs run as the grader's own
// uid and the kernel alone would let every signal through. Each refusal is listed with why.
TEST_P(Hostile, SignalsToAProcessOutsideTheRunAreRefused) {
  const std::string run = submit("signal_outside");
  for (const bool ptrace_cap : {true, false}) {
    if (!ptrace_cap && (::geteuid() != 0 || ::access("/usr/sbin/capsh", X_OK) != 0)) continue;
    SCOPED_TRACE(ptrace_cap ? "as root" : "as root without CAP_SYS_PTRACE");
    const pid_t bystander = ::fork();
    if (bystander == 0) {
      ::execlp("sleep", "sleep", "30", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    const std::string pid = std::to_string(bystander);
    const std::vector<std::string> wrapper = ptrace_cap ? std::vector<std::string>{} : without_ptrace_cap();
    const json r = grade(
        "limits: {wall: 5s}\nscenarios:\n  - name: signals\n    processes:\n"
        "      - {name: sender, run: [" +
            run + ", '" + pid + "']}\n",
        5, wrapper);
    const std::string out = scenario(r)["processes"][0]["stdout"];
    EXPECT_EQ(out.find("signalled"), std::string::npos) << out;
    EXPECT_EQ(::waitpid(bystander, nullptr, WNOHANG), 0) << "the host's process was killed\n" << out;
    {
      std::ifstream stat("/proc/" + pid + "/stat");
      const std::string text((std::istreambuf_iterator<char>(stat)), {});
      EXPECT_EQ(text.substr(text.rfind(')') + 2, 1), "S") << "the host's process was stopped\n" << out;
    }
    ::kill(bystander, SIGKILL);
    ::waitpid(bystander, nullptr, 0);
    if (!tracked()) continue;
    for (const char* how : {"kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "pidfd", "proc-stop",
                            "proc-kill", "fsetown", "fiosetown"})
      EXPECT_NE(out.find(std::string(how) + ": Operation not permitted\n"), std::string::npos) << how << "\n"
                                                                                               << out;
    std::set<std::string> refused;
    for (const auto& f : scenario(r)["refused"]) {
      EXPECT_EQ(f["error"], "EPERM") << f;
      EXPECT_EQ(f["process"], "sender") << f;
      refused.insert(f["call"].get<std::string>() + ": " + f["why"].get<std::string>());
    }
    const std::string outside = ": pid " + pid + " is not a process of this run";
    const std::set<std::string> expected = {
        "kill(" + pid + ", SIGKILL)" + outside,
        "tgkill(" + pid + ", " + pid + ", SIGKILL)" + outside,
        "rt_sigqueueinfo(" + pid + ", SIGKILL, ...)" + outside,
        "rt_tgsigqueueinfo(" + pid + ", " + pid + ", SIGKILL, ...)" + outside,
        "pidfd_open(" + pid + ", 0)" + outside,
        "pidfd_send_signal(3, SIGSTOP, ...)" + outside,
        "pidfd_send_signal(3, SIGKILL, ...)" + outside,
        "fcntl(4, F_SETOWN, " + pid + "): pid " + pid +
            " is not one of this run: it would get the descriptor's "
            "signals",
        "ioctl(5, 0x8901, ...): setting a descriptor's owner with ioctl is not allowed in tracked mode: use "
        "fcntl(fd, F_SETOWN, pid)"};
    EXPECT_EQ(refused, expected) << scenario(r)["refused"].dump(2);
  }
}

// Names left in the host's world-writable folders: a file in /tmp and /var/tmp, a FIFO, a folder with a
// file in it and a bound socket in /tmp. In namespaces mode /tmp is the run's own and /var/tmp is not
// there; in tracked mode Landlock refuses every one (and the report lists each refusal with why); on a
// kernel without Landlock (IPCGRADE_LANDLOCK=off grades as on one) the tracer records each name as it
// is made, and the end of the run reports them as leftovers of their creator and removes them.
TEST_P(Hostile, NamesMadeInTheHostsTemporaryFoldersDoNotOutliveTheRun) {
  const std::string run = submit("tmp_writer");
  const std::string prefix = "ipcgrade-test-left-" + std::to_string(::getpid());
  const std::vector<std::string> made = {"/tmp/" + prefix + "-file", "/var/tmp/" + prefix + "-file",
                                         "/tmp/" + prefix + "-fifo", "/tmp/" + prefix + "-dir/inside",
                                         "/tmp/" + prefix + "-dir",  "/tmp/" + prefix + "-sock"};
  const std::string body =
      "limits: {wall: 5s}\nscenarios:\n  - name: litter\n    processes:\n"
      "      - {name: writer, run: [" +
      run + ", " + prefix +
      "]}\n"
      "checks:\n  - {name: nothing left, type: no-leftovers, points: 10}\n";
  for (const bool landlock : {true, false}) {
    if (!landlock && !tracked()) continue;
    SCOPED_TRACE(landlock ? "with Landlock" : "without Landlock");
    if (!landlock) ::setenv("IPCGRADE_LANDLOCK", "off", 1);
    const json r = grade(body, 5);
    ::unsetenv("IPCGRADE_LANDLOCK");
    for (const auto& path : made)
      EXPECT_FALSE(fs::exists(fs::symlink_status(path))) << path << " outlived the run";
    const std::string out = scenario(r)["processes"][0]["stdout"];
    const json& check = r["checks"][0];
    if (!tracked()) {
      // The run's own /tmp: its files went with it, but a FIFO is an IPC object the run left behind.
      EXPECT_NE(out.find("file in /tmp: made\n"), std::string::npos) << out;
      EXPECT_EQ(check["status"], "failed") << check.dump(2);
      ASSERT_EQ(check["evidence"].size(), 1u) << check.dump(2);
      EXPECT_EQ(check["evidence"][0]["detail"],
                "FIFO /tmp/" + prefix +
                    "-fifo (mode 0600) was left behind and has been removed by "
                    "the grader")
          << check.dump(2);
      EXPECT_EQ(check["evidence"][0]["call"], "mkfifo(\"/tmp/" + prefix + "-fifo\", 0600) = 0");
      continue;
    }
    if (landlock) {
      for (const char* what : {"file in /tmp", "file in /var/tmp", "fifo", "folder", "socket"})
        EXPECT_NE(out.find(std::string(what) + ": Permission denied\n"), std::string::npos) << what << "\n"
                                                                                            << out;
      EXPECT_EQ(check["status"], "passed") << check.dump(2);
      size_t named = 0;
      for (const auto& f : scenario(r)["refused"]) {
        const std::string call = f["call"];
        if (call.find(prefix) == std::string::npos) continue;
        ++named;
        EXPECT_EQ(f["error"], "EACCES") << f;
        EXPECT_EQ(
            f["why"].get<std::string>().find("tracked mode writes only in the working folder and the run's "
                                             "temporary folder ($TMPDIR); /"),
            0u)
            << f;
      }
      EXPECT_EQ(named, 5u) << scenario(r)["refused"].dump(2);
      continue;
    }
    // Without Landlock: each made, each found, named with its creator, and removed.
    for (const char* what :
         {"file in /tmp", "file in /var/tmp", "fifo", "folder", "file in the folder", "socket"})
      EXPECT_NE(out.find(std::string(what) + ": made\n"), std::string::npos) << what << "\n" << out;
    std::map<std::string, json> left;
    for (const auto& l : scenario(r)["leftovers"]) left[l["name"].get<std::string>()] = l;
    ASSERT_EQ(left.size(), made.size()) << scenario(r)["leftovers"].dump(2);
    const std::map<std::string, std::string> kinds = {{"-file", "file"},
                                                      {"-fifo", "fifo"},
                                                      {"-dir", "directory"},
                                                      {"-dir/inside", "file"},
                                                      {"-sock", "socket"}};
    for (const auto& path : made) {
      ASSERT_TRUE(left.count(path)) << path;
      const json& l = left[path];
      EXPECT_EQ(l["reclaimed"], true) << l;
      EXPECT_EQ(l["kind"], kinds.at(path.substr(path.find(prefix) + prefix.size()))) << l;
      EXPECT_EQ(l["creator"].get<std::string>().rfind("writer (pid ", 0), 0u) << l;
      EXPECT_NE(l["call"].get<std::string>().find("(\"" + path + "\", ...)"), std::string::npos) << l;
      EXPECT_NE(l["at"].get<std::string>().find("tmp_writer.c:"), std::string::npos) << l;
    }
    EXPECT_EQ(left["/tmp/" + prefix + "-file"]["bytes"], 5);
    EXPECT_EQ(check["status"], "failed");
    EXPECT_EQ(check["score"], 0);
    EXPECT_EQ(check["evidence"].size(), made.size());
    bool fifo_named = false;
    for (const auto& e : check["evidence"]) {
      fifo_named = fifo_named || e["detail"] == "FIFO /tmp/" + prefix +
                                                    "-fifo (mode 0600) was left behind and has been "
                                                    "removed by the grader";
    }
    EXPECT_TRUE(fifo_named) << check.dump(2);
  }
  for (const auto& path : made) {
    std::error_code ec;
    fs::remove(path, ec);
  }
}

// Tricks that would have the grader remove a file the run did not make, or miss one it did: O_PATH
// through /proc/self/fd to a file the run cannot read, a link to it, /proc/self/cwd, a link with "..",
// a folder renamed into /tmp with a file in it, a path flipped by another thread mid-call. The victim
// stays, in every mode, with Landlock or without; and without Landlock nothing the run made survives.
TEST_P(Hostile, NoTrickMakesTheGraderRemoveWhatTheRunDidNotMake) {
  const std::string run = submit("name_tricks");
  const std::string prefix = "ipcgrade-test-trick-" + std::to_string(::getpid());
  const fs::path vault = fs::path("/tmp") / (prefix + "-vault");
  fs::create_directories(vault);
  ::chmod(vault.c_str(), 0755);
  const fs::path victim = vault / "victim";
  std::ofstream(victim) << "the instructor's\n";
  ::chmod(victim.c_str(), 0600);
  const std::string body =
      "limits: {wall: 10s}\nscenarios:\n  - name: tricks\n    processes:\n"
      "      - {name: trickster, run: [" +
      run + ", " + prefix + ", " + victim.string() +
      "]}\n"
      "checks:\n  - {name: nothing left, type: no-leftovers, points: 10}\n";
  auto survivors = [&] {
    std::vector<std::string> left;
    for (const char* dir : {"/tmp", "/var/tmp"}) {
      for (const auto& entry : fs::directory_iterator(dir)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind(prefix, 0) == 0 && entry.path() != vault) left.push_back(entry.path().string());
      }
    }
    return left;
  };
  for (const bool landlock : {true, false}) {
    if (!landlock && !tracked()) continue;
    SCOPED_TRACE(landlock ? "with Landlock" : "without Landlock");
    if (!landlock) ::setenv("IPCGRADE_LANDLOCK", "off", 1);
    const json r = grade(body, 10);
    ::unsetenv("IPCGRADE_LANDLOCK");
    for (const auto& l : scenario(r)["leftovers"]) EXPECT_NE(l["name"], victim.string()) << l;
    // A run with the grader's uid (root in a container) owns the victim and could remove it itself; but
    // the grader never takes it for the run's.
    const bool own_uid =
        scenario(r)["enforced"]["uid"].get<std::string>().find("(the run's own)") != std::string::npos;
    if (own_uid) {
      EXPECT_TRUE(fs::exists(victim)) << "the grader removed a file the run did not make\n"
                                      << scenario(r)["leftovers"].dump(2);
    }
    std::vector<std::string> left = survivors();
    // Without a uid of its own, only the names the trace saw made are found: a path flipped by another
    // thread mid-call can escape (docs/isolation.md says so).
    if (!own_uid)
      std::erase_if(left,
                    [&](const std::string& p) { return p.find(prefix + "-race-") != std::string::npos; });
    EXPECT_TRUE(left.empty()) << left.size() << " names of the run survived it, e.g. " << left[0] << "\n"
                              << scenario(r)["processes"][0]["stdout"];
    left = survivors();
    for (const auto& path : left) fs::remove_all(path);
    if (tracked() && !landlock) {
      const std::string out = scenario(r)["processes"][0]["stdout"];
      EXPECT_NE(out.find("rename: made\n"), std::string::npos) << out;  // the tricks did run
      EXPECT_EQ(r["checks"][0]["status"], "failed") << r["checks"][0].dump(2);
    }
  }
  fs::remove_all(vault);
}

// A seccomp filter of the program's own would outrank the grader's refusals: installing one is
// refused in every mode (and listed), so the refused socket stays refused.
TEST_P(Hostile, AFilterOfTheProgramsOwnIsRefused) {
  const json r = grade_one("{wall: 5s}", "filter", "own_filter", 5);
  const std::string out = scenario(r)["processes"][0]["stdout"];
  EXPECT_NE(out.find("seccomp: Operation not permitted\n"), std::string::npos) << out;
  EXPECT_NE(out.find("prctl: Operation not permitted\n"), std::string::npos) << out;
  if (tracked()) {
    EXPECT_NE(out.find("socket: Operation not permitted\n"), std::string::npos) << out;
  }
  std::set<std::string> why;
  for (const auto& f : scenario(r)["refused"])
    why.insert(f["call"].get<std::string>() + ": " + f["why"].get<std::string>());
  EXPECT_TRUE(
      why.count("seccomp(1, ...): a seccomp filter of the program's own is not allowed: it would outrank the "
                "sandbox's"))
      << scenario(r)["refused"].dump(2);
}

// Hiding from the grader, in every mode: a nested user+IPC namespace (where a leaked queue would be out
// of the audit's sight and the run would pass no-leftovers), clone3 with namespace flags, an untraced
// child (which would outlive the run and every limit), secret memory and a non-dumpable process (calls
// the tracer could not read). Each is refused and listed; threads still work (libc falls back from
// clone3 to clone); the queue the program leaks where it is costs the no-leftovers check.
TEST_P(Hostile, NestedNamespacesUntracedChildrenAndSecretMemoryAreRefused) {
  const json r = grade(
      "limits: {wall: 5s}\nscenarios:\n  - name: hide\n    processes:\n"
      "      - {name: hider, run: " +
          submit("hide_from_grader") +
          "}\nchecks:\n  - {name: nothing is left behind, type: no-leftovers, points: 10}\n"
          "  - {name: every program ends, type: exit, points: 10}\n",
      5);
  const std::string out = scenario(r)["processes"][0]["stdout"];
  for (const char* line : {"unshare: Operation not permitted\n", "clone-namespace: Operation not permitted\n",
                           "clone3: Function not implemented\n", "clone-untraced: Operation not permitted\n",
                           "memfd_secret: Operation not permitted\n", "dumpable: Operation not permitted\n",
                           "thread: ran\n", "msgget: done\n"})
    EXPECT_NE(out.find(line), std::string::npos) << line << " in:\n" << out;
  // A container engine's profile that refuses unshare itself (Docker's does) answers before the grader's
  // filter: the call fails all the same, and the grader never sees it to list it.
  const bool outer_refuses_unshare = ::unshare(0) != 0;
  std::set<std::string> refused;
  for (const auto& f : scenario(r)["refused"])
    refused.insert(f["call"].get<std::string>() + ": " + f["why"].get<std::string>());
  if (outer_refuses_unshare)
    refused.insert(
        "unshare(0x18000000): a namespace of the program's own is not allowed: what it made there would be "
        "hidden from the grader");
  for (const std::string expected :
       {"unshare(0x18000000): a namespace of the program's own is not allowed: what it made there would be "
        "hidden from the grader",
        "clone(0x18000011, ...): a namespace of the program's own is not allowed: what it made there would "
        "be "
        "hidden from the grader",
        "clone(0x800011, ...): CLONE_UNTRACED is not allowed: a child the grader cannot follow escapes its "
        "limits and its audit",
        "memfd_secret(0x0): memfd_secret is not allowed: memory the grader cannot read would hide the "
        "program's "
        "calls from it",
        "prctl(PR_SET_DUMPABLE, ...): PR_SET_DUMPABLE is not allowed: a process that is not dumpable hides "
        "its calls from the grader"})
    EXPECT_EQ(refused.count(expected), 1u) << expected << "\n" << scenario(r)["refused"].dump(2);
  const json& leftovers = r["checks"][0];
  EXPECT_EQ(leftovers["score"], 0) << leftovers.dump(2);
  EXPECT_EQ(leftovers["status"], "failed");
  EXPECT_NE(leftovers["evidence"].dump().find("msgget"), std::string::npos) << leftovers.dump(2);
  EXPECT_EQ(r["checks"][1]["status"], "passed") << r["checks"][1].dump(2);
}

// A grader that is not root, without Landlock (IPCGRADE_LANDLOCK=off), in tracked mode: the programs run
// as the grader's own uid and see the host's /proc. Climbing their ancestors they find the supervisor and
// the grader, whose environment holds a CI secret and whose memory holds the hidden outputs: neither can
// be read (the grader is not dumpable).
TEST_P(Hostile, ANonRootGradersEnvironmentAndMemoryAreOutOfTheRunsReach) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to become a user that is not";
  const std::string run = submit("read_grader");
  std::vector<std::string> wrapper = as_nobody_without_landlock();
  wrapper.insert(wrapper.end() - 1, "IPCGRADE_CI_SECRET=hunter2");
  const json r = grade(
      "limits: {wall: 5s}\nscenarios:\n  - name: climb\n    processes:\n"
      "      - {name: climber, run: [" +
          run + ", IPCGRADE_CI_SECRET=]}\n",
      5, wrapper);
  const std::string out = scenario(r)["processes"][0]["stdout"];
  // In namespaces mode its only ancestor in sight is the namespace's init; in tracked mode it did climb.
  if (tracked()) {
    EXPECT_NE(out.find("environ: "), std::string::npos) << out;
  }
  EXPECT_EQ(out.find("found the secret"), std::string::npos) << out;
  EXPECT_EQ(out.find("mem: read"), std::string::npos) << out;
}

// Ten 200 MiB System V segments attached, touched, detached and held under a 256 MiB memory limit: a
// detached segment is counted by no RLIMIT_AS, and as root in a container no cgroup counts it either
// (IPCGRADE_CGROUPS=off grades as there). The tracer counts what the run made: the second shmget is
// refused with ENOMEM and listed, in every mode, with cgroups or without.
TEST_P(Hostile, SharedMemoryHoardedPastTheMemoryLimitIsRefused) {
  const std::string run = submit("shm_hoard");
  for (const bool cgroups : {true, false}) {
    SCOPED_TRACE(cgroups ? "with cgroups" : "without cgroups");
    std::vector<std::string> wrapper;
    if (!cgroups) wrapper = {"/usr/bin/env", "IPCGRADE_CGROUPS=off", IPCGRADE_BINARY};
    const json r = grade(
        "limits: {wall: 10s, memory: 256MiB}\nscenarios:\n  - name: hoard\n    processes:\n"
        "      - {name: hoarder, run: " +
            run + "}\n",
        10, wrapper);
    EXPECT_EQ(scenario(r)["processes"][0]["stdout"], "segment 1: Cannot allocate memory\nmade 1\n")
        << scenario(r)["processes"][0];
    ASSERT_EQ(scenario(r)["refused"].size(), 1u) << scenario(r)["refused"].dump(2);
    const json& refused = scenario(r)["refused"][0];
    EXPECT_EQ(refused["call"], "shmget(IPC_PRIVATE, 209715200, IPC_CREAT|0600)") << refused;
    EXPECT_EQ(refused["error"], "ENOMEM") << refused;
    EXPECT_EQ(refused["why"],
              "the run's System V shared memory would pass its memory limit (256 MiB): 200 MiB made and not "
              "removed, 200 MiB more asked")
        << refused;
    ASSERT_EQ(scenario(r)["leftovers"].size(), 1u) << scenario(r)["leftovers"].dump(2);
    EXPECT_EQ(scenario(r)["leftovers"][0]["reclaimed"], true);
  }
}

// Another program's queue (a classmate's in a tracked batch, a host daemon's), mode 0666 and holding a
// message, reached by key and by id: it can be neither opened, taken over with IPC_CREAT, written nor
// drained. In namespaces mode it does not exist for the run (an IPC_CREAT makes the run's own); in
// tracked mode the guard gives the same answers (ENOENT, EINVAL), and an IPC_CREAT of its key fails
// with EACCES instead of opening it. The run's own queue works as ever.
TEST_P(Hostile, AnotherProgramsQueueCanNeitherBeOpenedNorDrained) {
  const key_t key = 0x1e000000 + (::getpid() & 0xffff);
  const int host = ::msgget(key, IPC_CREAT | IPC_EXCL | 0666);
  ASSERT_GE(host, 0) << std::strerror(errno);
  struct {
    long mtype;
    char text[32];
  } m{7, "the host's"};
  ASSERT_EQ(::msgsnd(host, &m, sizeof m.text, 0), 0);
  const json r = grade(
      "limits: {wall: 5s}\nscenarios:\n  - name: peer\n    processes:\n"
      "      - {name: peer, run: [" +
          submit("ipc_peer") + ", '" + std::to_string(key) + "', '" + std::to_string(host) + "']}\n",
      5);
  const std::string out = scenario(r)["processes"][0]["stdout"];
  const std::string expected =
      std::string("open: No such file or directory\n") +
      (tracked() ? "open-or-create: Permission denied\n" : "open-or-create: done\n") +
      "send: Invalid argument\ndrain: Invalid argument\nown-send: done\nown-receive: done\n"
      "private-send: done\n";
  EXPECT_EQ(out, expected);
  msqid_ds info{};
  ASSERT_EQ(::msgctl(host, IPC_STAT, &info), 0) << "the host's queue was removed";
  EXPECT_EQ(info.msg_qnum, 1u) << "the host's queue was written or drained";
  ::msgctl(host, IPC_RMID, nullptr);
  if (!tracked()) return;
  std::set<std::string> refused;
  for (const auto& f : scenario(r)["refused"])
    refused.insert(f["call"].get<std::string>() + ": " + f["error"].get<std::string>() + ": " +
                   f["why"].get<std::string>());
  const std::string k = fmt::format("{:#010x}", static_cast<unsigned>(key));
  const std::set<std::string> want = {
      "msgget(" + k + ", 0000): ENOENT: key " + k + " names an object this run did not make",
      "msgget(" + k + ", IPC_CREAT|0666): EACCES: key " + k +
          " names an object this run did not make: another program made it first",
      "msgsnd(" + std::to_string(host) + ", {mtype=1, ...}, 32, IPC_NOWAIT): EINVAL: id " +
          std::to_string(host) + " is not an object this run made",
      "msgrcv(" + std::to_string(host) + ", {...}, 32, 0, IPC_NOWAIT): EINVAL: id " + std::to_string(host) +
          " is not an object this run made"};
  EXPECT_EQ(refused, want) << scenario(r)["refused"].dump(2);
}

// An instructor's judges in `files:`, written in Python: tools/judge.py (with its helper module beside it)
// and judge.py at the top of the working folder. The submission ships difflib.py, and a first process
// writes tools/difflib.py: Python would import either before the standard library's, and the judge would
// run the student's code. With a uid of the run's own (a root grader), tools/ holds only instructor files
// and is the grader's alone; and every instructor program's Python gets no script folder or working
// folder on its path (PYTHONSAFEPATH), only its own folder when the run cannot write it.
TEST_P(Hostile, AnInstructorsJudgeImportsNothingTheRunPutBesideIt) {
  if (::geteuid() != 0) GTEST_SKIP() << "a folder of the grader's alone needs a uid of the run's own";
  if (::access("/usr/bin/python3", X_OK) != 0) GTEST_SKIP() << "the judges are Python: no python3 here";
  const std::string judge = "import difflib\nprint('difflib from ' + difflib.__file__.split('/')[1])\n";
  dir_.write("tools/judge.py", "import helper\n" + judge);
  dir_.write("tools/helper.py", "print('helper imported')\n");
  dir_.write("judge.py", judge);
  fs::create_directories(dir_.path() / "mallory");
  dir_.write("mallory/difflib.py", "print('HIJACKED from the submission')\n__file__ = '/x/x'\n");
  dir_.write("mallory/planter.sh",
             "printf \"print('HIJACKED from tools')\\n__file__ = '/x/x'\\n\" > tools/difflib.py 2>/dev/null "
             "&& echo planted || echo refused\n");
  const json r = grade(
      "files: [tools/judge.py, tools/helper.py, judge.py]\nlimits: {wall: 10s}\nscenarios:\n  - name: judge\n"
      "    processes:\n"
      "      - {name: planter, run: sh planter.sh, ready: exit}\n"
      "      - {name: deep, run: python3 tools/judge.py, ready: exit}\n"
      "      - {name: top, run: python3 judge.py}\n",
      10);
  const json& p = scenario(r)["processes"];
  ASSERT_EQ(p.size(), 3u) << scenario(r).dump(2);
  // The judge at the top imports nothing of the submission's whoever runs it (PYTHONSAFEPATH).
  EXPECT_EQ(p[2]["stdout"], "difflib from usr\n") << p[2];
  // Without a uid of the run's own (root in a container) the instructor's files are the run's own, as
  // docs/isolation.md says: tools/ is writable there, and that is all this mode can say.
  const bool own_uid =
      scenario(r)["enforced"]["uid"].get<std::string>().find("(the run's own)") != std::string::npos;
  if (!own_uid) return;
  EXPECT_EQ(p[0]["stdout"], "refused\n") << p[0];
  EXPECT_EQ(p[1]["stdout"], "helper imported\ndifflib from usr\n") << p[1];
}

// The instructor's private files: a judge's expected answers (marked `private: true`, as every file is
// unless marked otherwise) and the judge itself, beside a data file the student's program is meant to
// read (`private: false`). Where the run has a uid of its own (a root grader), the student's program
// reads the data file but neither the answers nor the judge, cannot list the judge's folder or signal
// the judge, while the judge reads its answers; where it has not (root in a container, a non-root
// grader), the report says the private files are readable by the run.
TEST_P(Hostile, AnInstructorsPrivateFilesAreReadOnlyByTheInstructorsPrograms) {
  dir_.write("tools/expected.txt", "the answer is 42\n");
  dir_.write("tools/judge.sh", "cat tools/expected.txt && sleep 1 && echo judged\n");
  dir_.write("data/input.txt", "input for the student\n");
  fs::create_directories(dir_.path() / "mallory");
  dir_.write("mallory/peek.sh",
             "cat data/input.txt\n"
             "cat tools/expected.txt 2>/dev/null || echo 'expected: refused'\n"
             "cat tools/judge.sh 2>/dev/null || echo 'judge: refused'\n"
             "ls tools >/dev/null 2>&1 || echo 'listing: refused'\n"
             "for p in /proc/[0-9]*; do grep -q 'judge.sh' $p/cmdline 2>/dev/null || continue; "
             "cat $p/environ >/dev/null 2>&1 && echo 'environ: read'; "
             "kill -STOP ${p#/proc/} 2>/dev/null && echo 'judge: stopped'; done\n"
             "echo done\n");
  const json r = grade(
      "files: [{path: tools/expected.txt, private: true}, tools/judge.sh, {path: data/input.txt, private: "
      "false}]\n"
      "limits: {wall: 10s}\nscenarios:\n  - name: private\n    processes:\n"
      "      - {name: judge, run: sh tools/judge.sh}\n"
      "      - {name: peek, run: sh peek.sh}\n",
      10);
  const json& p = scenario(r)["processes"];
  ASSERT_EQ(p.size(), 2u) << scenario(r).dump(2);
  const std::string enforced = scenario(r)["enforced"]["instructor_files"];
  const bool own_uid =
      scenario(r)["enforced"]["uid"].get<std::string>().find("(the run's own)") != std::string::npos;
  if (!own_uid) {
    EXPECT_NE(enforced.find("; the private ones (2) readable by it too: the instructor's programs have its "
                            "uid here"),
              std::string::npos)
        << enforced;
    return;
  }
  EXPECT_TRUE(matches(enforced,
                      "read-only to the run: the grader's, in folders the run cannot rename; the "
                      "private ones \\(2\\) unreadable by it: the instructor's programs run as "
                      "uid \\d+ to read them"))
      << enforced;
  EXPECT_EQ(p[0]["stdout"], "the answer is 42\njudged\n") << p[0];
  EXPECT_EQ(p[1]["stdout"],
            "input for the student\nexpected: refused\njudge: refused\nlisting: refused\ndone\n")
      << p[1];
}

// A key the run made, removed and asked for again after another program took it (a classmate's run of
// the same batch): the second get is the run's no more than any foreign key, so it fails (EACCES in
// tracked mode; namespaces mode never sees the other queue) and the other program's queue outlives the
// audit.
TEST_P(Hostile, AKeyTheRunGaveBackNamesNoObjectOfItsOwn) {
  const std::string run = submit("key_reuse");
  const key_t key = static_cast<key_t>(0x7a110000 | (::getpid() & 0xffff));
  const pid_t taker = ::fork();
  if (taker == 0) {
    // Waits for the run's queue to come and go, then takes its key.
    bool seen = false;
    for (int i = 0; i < 10000; ++i) {
      const bool there = ::msgget(key, 0) >= 0;
      if (there) seen = true;
      if (seen && !there) ::_exit(::msgget(key, IPC_CREAT | IPC_EXCL | 0666) >= 0 ? 0 : 1);
      ::usleep(1000);
    }
    ::_exit(2);
  }
  const json r = grade(
      "limits: {wall: 5s}\nscenarios:\n  - name: reuse\n    processes:\n"
      "      - {name: reuser, run: [" +
          run + ", '" + std::to_string(key) + "']}\n",
      5);
  if (!tracked()) ::kill(taker, SIGKILL);  // the run's queue was in its own namespace: nothing to take
  int status = 0;
  ::waitpid(taker, &status, 0);
  const int host_id = ::msgget(key, 0);
  if (host_id >= 0) ::msgctl(host_id, IPC_RMID, nullptr);
  const std::string out = scenario(r)["processes"][0]["stdout"];
  if (!tracked()) {
    EXPECT_EQ(out, "made 1\nremoved 1\nagain: opened\n") << out;  // its own namespace's new queue
    return;
  }
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the test's program did not take the key";
  EXPECT_GE(host_id, 0) << "the other program's queue was removed by the audit";
  EXPECT_EQ(out, "made 1\nremoved 1\nagain: Permission denied\n") << out;
  ASSERT_EQ(scenario(r)["refused"].size(), 1u) << scenario(r).dump(2);
  EXPECT_TRUE(
      matches(scenario(r)["refused"][0]["why"],
              "key 0x[0-9a-f]{8} names an object this run did not make: another program made it first"))
      << scenario(r)["refused"][0];
  EXPECT_TRUE(scenario(r)["leftovers"].empty()) << scenario(r)["leftovers"];
}

// A program that makes itself unreadable (mode 0111) and runs that copy, graded by root without
// CAP_SYS_PTRACE (a container's root): the process is not dumpable and its memory is closed to the tracer,
// so none of its calls could be judged. It is stopped at its exec, and the report says why.
TEST_P(Hostile, AProgramTheGraderCannotReadIsStoppedAtItsExec) {
  if (::geteuid() != 0 || ::access("/usr/sbin/capsh", X_OK) != 0) GTEST_SKIP() << "needs root and capsh";
  const std::string run = submit("hidden_exec");
  const json r = grade(
      "limits: {wall: 5s}\nscenarios:\n  - name: hide\n    processes:\n"
      "      - {name: hider, run: " +
          run + "}\n",
      5, without_ptrace_cap());
  const json& p = scenario(r)["processes"][0];
  EXPECT_EQ(p["stdout"].get<std::string>().find("hidden ran"), std::string::npos) << p;
  if (!tracked()) return;  // namespaces mode: the tracer keeps its capabilities in the run's user namespace
  ASSERT_EQ(scenario(r)["refused"].size(), 1u) << scenario(r).dump(2);
  EXPECT_EQ(
      scenario(r)["refused"][0]["why"],
      "the grader cannot read this program's memory (is the file unreadable, mode 0111?): its calls could "
      "not be judged, so it was stopped");
  EXPECT_EQ(p["signal"], SIGKILL) << p;
}

// A folder made mode 0 with a file in it, and a FIFO, left in the host's /dev/shm (writable by the run
// in tracked mode even under Landlock), by a root grader and by root without CAP_SYS_PTRACE (a
// container's root: no uid of the run's own). Neither outlives the run: each is reported as a leftover
// of its maker and removed (the folder opened up again first); in namespaces mode /dev/shm is the run's.
TEST_P(Hostile, AModeZeroFolderAndAFifoInDevShmAreRemoved) {
  const std::string run = submit("shm_folder");
  for (const bool ptrace_cap : {true, false}) {
    if (!ptrace_cap && (::geteuid() != 0 || ::access("/usr/sbin/capsh", X_OK) != 0)) continue;
    SCOPED_TRACE(ptrace_cap ? "as root" : "as root without CAP_SYS_PTRACE");
    const std::string name = "hostile-shm-" + std::to_string(::getpid());
    const std::vector<std::string> wrapper = ptrace_cap ? std::vector<std::string>{} : without_ptrace_cap();
    const json r = grade(
        "limits: {wall: 5s}\nscenarios:\n  - name: shm\n    processes:\n"
        "      - {name: maker, run: [" +
            run + ", " + name + "]}\n",
        5, wrapper);
    EXPECT_EQ(scenario(r)["processes"][0]["stdout"], "folder made, file made, fifo made\n")
        << scenario(r)["processes"][0];
    EXPECT_FALSE(fs::exists("/dev/shm/" + name));
    EXPECT_FALSE(fs::exists("/dev/shm/" + name + ".fifo"));
    if (!tracked()) continue;
    std::set<std::string> left;
    for (const auto& l : scenario(r)["leftovers"]) {
      EXPECT_EQ(l["reclaimed"], true) << l;
      left.insert(l["kind"].get<std::string>() + " " + l["name"].get<std::string>());
    }
    EXPECT_TRUE(left.count("directory /dev/shm/" + name)) << scenario(r)["leftovers"].dump(2);
    EXPECT_TRUE(left.count("fifo /dev/shm/" + name + ".fifo")) << scenario(r)["leftovers"].dump(2);
    std::error_code ec;  // whatever a failure left, for the next test's sake
    fs::permissions("/dev/shm/" + name, fs::perms::owner_all, ec);
    fs::remove_all("/dev/shm/" + name, ec);
    fs::remove("/dev/shm/" + name + ".fifo", ec);
  }
}

// A build command that leaves a queue behind (a Makefile that runs a test, here `ipcmk -Q`): the queue is
// removed and reported as the build's, in the report, the build log and the summary, and charged to no
// scenario's check.
TEST_P(Hostile, WhatTheBuildLeavesIsReportedAsTheBuildsAndRemoved) {
  const json r = grade(
      "build: {command: 'ipcmk -Q'}\nlimits: {wall: 5s}\nscenarios:\n  - name: idle\n    processes:\n"
      "      - {name: idle, run: /bin/true}\n"
      "checks:\n  - {name: nothing is left behind, type: no-leftovers, points: 10}\n",
      5);
  ASSERT_EQ(r["build"]["leftovers"].size(), 1u) << r["build"].dump(2);
  const json& left = r["build"]["leftovers"][0];
  EXPECT_EQ(left["kind"], "msg") << left;
  EXPECT_EQ(left["reclaimed"], true) << left;
  EXPECT_NE(r["build"]["log"].get<std::string>().find(
                "[the build left 1 object(s) behind (1 removed by the grader): see build.leftovers]"),
            std::string::npos)
      << r["build"]["log"];
  EXPECT_EQ(r["checks"][0]["status"], "passed") << r["checks"][0].dump(2);
  EXPECT_EQ(r["checks"][0]["score"], 10);
  // The terminal summary names it too.
  const CliResult plain = run_ipcgrade(
      {"grade", dir_.path().string(), (dir_.path() / "mallory").string(), "--isolation", GetParam()});
  EXPECT_NE(plain.out.find("  the build left msg key "), std::string::npos) << plain.out;
  EXPECT_NE(plain.out.find("(removed)"), std::string::npos) << plain.out;
}

// A Unix socket of the host's /tmp named through /proc/self/cwd after chdir("/tmp"): the kernel reads
// /proc/self as the program, and so must the guard, or it would judge the path by its own folder. In
// `run` (tracked), whose program works in the caller's folder, that folder is the run's, and the host's
// socket would be let through. Graded and run, the socket is never reached.
TEST_P(Hostile, ASocketNamedThroughProcSelfIsJudgedWhereTheProgramIs) {
  const std::string run = submit("proc_self_connect");
  const std::string name = "ipcgrade-test-self-" + std::to_string(::getpid());
  const fs::path path = fs::path("/tmp") / name;
  const int listener = host_listener(path);
  ASSERT_GE(listener, 0) << std::strerror(errno);
  const HostSocket cleanup{listener, path};  // closed and removed however the test ends
  const json r = grade(
      "limits: {wall: 5s}\nscenarios:\n  - name: self\n    processes:\n"
      "      - {name: prober, run: [" +
          run + ", " + name + "]}\n",
      5);
  EXPECT_EQ(scenario(r)["processes"][0]["stdout"].get<std::string>().rfind("refused: ", 0), 0u)
      << scenario(r)["processes"][0]["stdout"];
  // `run` works in the caller's folder (here the submission's): the guard's own folder is the run's.
  const CliResult ran = [&] {
    const fs::path here = fs::current_path();
    fs::current_path(dir_.path() / "mallory");
    const CliResult result = run_ipcgrade({"run", "--isolation", GetParam(), "--", run, name});
    fs::current_path(here);
    return result;
  }();
  EXPECT_EQ(ran.out.find("connected"), std::string::npos) << ran.out << ran.err;
  EXPECT_LT(::accept(listener, nullptr, nullptr), 0) << "the host's socket was reached";
  if (tracked()) {
    ASSERT_EQ(scenario(r)["refused"].size(), 1u) << scenario(r).dump(2);
    EXPECT_EQ(scenario(r)["refused"][0]["why"].get<std::string>().find("the socket /proc/"), 0u)
        << scenario(r)["refused"][0];
  }
}

// A second thread flips the socket's address between an absent name in the working folder and a Unix
// socket of the host's /tmp while the main thread connects, 1000 times: the guard must judge the bytes
// the kernel copies. Before the run was held still around the check, the host's socket was reached
// within 3 to 44 tries. Graded as root and as a container's root (no CAP_SYS_PTRACE), never reached;
// in tracked mode every try that read the host's name is refused and listed.
TEST_P(Hostile, AThreadFlippingTheSocketAddressNeverReachesTheHost) {
  const std::string run = submit("socket_race");
  const std::string name = "ipcgrade-test-race-" + std::to_string(::getpid());
  const fs::path path = fs::path("/tmp") / name;
  const int listener = host_listener(path);
  ASSERT_GE(listener, 0) << std::strerror(errno);
  const HostSocket cleanup{listener, path};  // closed and removed however the test ends
  // As root, and where this machine can (root, with capsh and setpriv): as a container's root and as a
  // grader that is not root, without Landlock.
  std::vector<std::vector<std::string>> graders = {{}};
  if (::geteuid() == 0 && ::access("/usr/sbin/capsh", X_OK) == 0) graders.push_back(without_ptrace_cap());
  if (::geteuid() == 0 && ::access("/usr/bin/setpriv", X_OK) == 0)
    graders.push_back(as_nobody_without_landlock());
  for (const auto& wrapper : graders) {
    SCOPED_TRACE(wrapper.empty() ? "as root" : wrapper[0]);
    const json r = grade(
        "limits: {wall: 30s, cpu: 30s}\nscenarios:\n  - name: race\n    processes:\n"
        "      - {name: racer, run: [" +
            run + ", " + name + ", '1000']}\n",
        30, wrapper);
    const std::string out = scenario(r)["processes"][0]["stdout"];
    EXPECT_EQ(out.rfind("held: 1000 tries", 0), 0u) << out;
    EXPECT_LT(::accept(listener, nullptr, nullptr), 0) << "the host's socket was reached\n" << out;
    if (!tracked()) continue;
    // The name the guard read is the one the kernel would have used: the host's, or a copy torn where
    // the flipping thread was stopped mid-write, which names /tmp all the same.
    ASSERT_FALSE(scenario(r)["refused"].empty()) << scenario(r).dump(2);
    for (const auto& refusal : scenario(r)["refused"]) {
      EXPECT_TRUE(matches(refusal["why"],
                          "the socket /tmp/[^ ]+ is outside the working folder and the run's "
                          "temporary folder"))
          << refusal;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, Hostile, ::testing::Values("auto", "tracked"),
                         [](const auto& mode) { return mode.param; });

// POSIX objects of the host opened by name with O_CREAT (but no O_EXCL) and never unlinked: an open of
// an object that exists makes nothing, so the grader neither reports nor removes them (in namespaces
// mode the run does not even see them: it makes its own, which are its leftovers). A flood of
// semaphore temporaries whose opens fail leaves the grader's memory flat. A FIFO made from a subfolder
// is found where it is, and removed.
TEST_P(Hostile, HostPosixObjectsOpenedWithOCreatAreNeitherReportedNorRemoved) {
  const std::string run = submit("posix_squatter");
  const std::string name = "/ipcgrade-test-squat-" + std::to_string(::getpid());
  const mode_t old = ::umask(0);
  const mqd_t q = ::mq_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL, 0666, nullptr);
  ASSERT_NE(q, static_cast<mqd_t>(-1)) << std::strerror(errno);
  const int fd = ::shm_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL, 0666);
  ::umask(old);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  const json r = grade(
      "limits: {wall: 60s, cpu: 60s}\nscenarios:\n  - name: squat\n    processes:\n"
      "      - {name: squatter, run: [" +
          run + ", '" + name + "', '" + name +
          "', '30000']}\n"
          "checks:\n  - {name: nothing left, type: no-leftovers, points: 10}\n",
      60);
  const std::string out = scenario(r)["processes"][0]["stdout"];
  EXPECT_NE(out.find("temporaries: 30000\nfifo: made\n"), std::string::npos) << out;
  // The host's queue and segment are still there, untouched.
  struct stat st {};
  EXPECT_EQ(::fstat(fd, &st), 0);
  EXPECT_EQ(st.st_nlink, 1u) << "the host's shared-memory object was removed";
  const mqd_t again = ::mq_open(name.c_str(), O_RDONLY);
  EXPECT_NE(again, static_cast<mqd_t>(-1)) << "the host's queue was removed";
  if (again != static_cast<mqd_t>(-1)) ::mq_close(again);
  ::mq_close(q);
  ::close(fd);
  ::mq_unlink(name.c_str());
  ::shm_unlink(name.c_str());
  std::set<std::string> left;
  for (const auto& l : scenario(r)["leftovers"]) {
    left.insert(l["kind"].get<std::string>() + " " + l["name"].get<std::string>());
    EXPECT_EQ(l["reclaimed"], true) << l;
  }
  if (tracked()) {
    EXPECT_EQ(out.find("refused"), std::string::npos) << out;  // it did open the host's objects
    EXPECT_EQ(left, (std::set<std::string>{"fifo left.fifo"})) << scenario(r)["leftovers"].dump(2);
  } else {
    EXPECT_EQ(left, (std::set<std::string>{"fifo left.fifo", "posix-mq " + name, "posix-shm " + name}))
        << scenario(r)["leftovers"].dump(2);
  }
  // 30,000 names of 4 KB each were opened and failed: none of them is kept. (Measured without the
  // sanitizers, whose shadow memory and quarantine count too.)
#if !defined(__SANITIZE_ADDRESS__)
  EXPECT_LT(last_.peak_kib, 64L * 1024) << "KiB after 30,000 failed temporaries";
#endif
}

// Eight processes flood the BPF observer with semop calls, hoping its ring overflows and a call goes
// unjudged, then leave a queue behind. Whatever the observer kept or lost, the grade, the leftover and
// its creator are those ptrace alone finds: a run whose observer lost records is graded again.
TEST_P(Hostile, FloodingTheObserverChangesNoGrade) {
  // Tracked mode never uses the observer, nor does a machine that refuses it.
  if (tracked() || !observer_loadable()) GTEST_SKIP() << "no BPF observer follows this run";
  const std::string run = submit("ring_flood");
  const std::string body =
      "limits: {wall: 20s, cpu: 20s}\nscenarios:\n  - name: flood\n    processes:\n"
      "      - {name: flooder, run: " +
      run + "}\nchecks:\n  - {name: nothing left, type: no-leftovers, points: 10}\n";
  const json observed = grade(body, 20);
  const json ptrace = grade(body, 20, {}, {"--tracer", "ptrace"});
  const std::string line = scenario(observed)["enforced"]["tracer"];
  if (line.rfind("bpf", 0) != 0) {
    EXPECT_NE(line.find("the BPF observer lost"), std::string::npos) << line;
  }
  EXPECT_EQ(observed["score"], ptrace["score"]);
  EXPECT_EQ(observed["score"], 0.0);
  ASSERT_EQ(scenario(observed)["leftovers"].size(), 1u) << scenario(observed)["leftovers"].dump(2);
  EXPECT_EQ(scenario(observed)["leftovers"][0]["kind"], "msg");
  const json& left = scenario(observed)["leftovers"][0];
  EXPECT_NE(left["creator"].get<std::string>().find("flooder"), std::string::npos) << left.dump(2);
  EXPECT_EQ(left["call"].get<std::string>().rfind("msgget(IPC_PRIVATE, IPC_CREAT|0600) = ", 0), 0u)
      << left.dump(2);
  EXPECT_EQ(left["at"], "ring_flood.c:31");
  EXPECT_EQ(left["at"], scenario(ptrace)["leftovers"][0]["at"]);
}

// The observer's maps and ring are the supervisor's: none of their descriptors reaches the program (they
// close at its exec), and bpf() is refused to it, so it can neither read what other processes did nor
// stop being followed.
TEST_P(Hostile, TheObserverIsOutOfTheRunsReach) {
  const std::string run = submit("observer_reach");
  const json r = grade("scenarios:\n  - name: reach\n    processes:\n      - {name: reacher, run: " + run +
                           "}\nchecks:\n  - {name: nothing left, type: no-leftovers, points: 10}\n",
                       10);
  const std::string out = scenario(r)["processes"][0]["stdout"];
  EXPECT_NE(out.find("bpf() refused: Operation not permitted\n"), std::string::npos) << out;
  EXPECT_NE(out.find("nothing of the observer\n"), std::string::npos) << out;
  // Refused by the sandbox's filter, and listed, not only by the kernel for want of the capability.
  // A container whose own profile refuses bpf() (podman's and Docker's default) answers first: a
  // filter's errno outranks the sandbox's trace, so there the run's refusal is the container's. Such a
  // container runs this test under a seccomp filter of its own (Seccomp: 2); a user's EPERM for want of
  // the capability, on a host, still expects the listing.
  union bpf_attr attr {};
  const bool refused_here = syscall(SYS_bpf, BPF_MAP_GET_NEXT_ID, &attr, sizeof attr) != 0 && errno == EPERM;
  const std::string status = read_whole("/proc/self/status");
  if (refused_here && status.find("\nSeccomp:\t2\n") != std::string::npos) return;
  bool listed = false;
  for (const auto& refusal : scenario(r)["refused"])
    listed = listed || refusal["call"].get<std::string>().rfind("bpf(", 0) == 0;
  EXPECT_TRUE(listed) << scenario(r)["refused"].dump(2);
}
