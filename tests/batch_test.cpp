// A class graded at once: reports equal to single gradings, the gradebook, shards, kill and resume,
// a crashed worker, the student's self-check, and the exports.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>
#include <algorithm>
#include <atomic>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <pugixml.hpp>
#include <set>
#include <thread>

#include "grader/util/atomic_file.hpp"
#include "grader/util/procfs.hpp"
#include "tests/host_clean.hpp"
#include "tests/run_cli.hpp"

using namespace ipcgrade::testing;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// A dozen students: copies of the message-queue solution and its variants (every outcome: full
// marks, leaks, a deadlock, a failed build).
class Batch : public HostCleanTest {
 protected:
  void SetUp() override {
    HostCleanTest::SetUp();
    const fs::path a = sample("msgqueue-relay");
    std::vector<fs::path> sources = {a / "solution"};
    for (const auto& v : fs::directory_iterator(a / "variants")) sources.push_back(v.path());
    std::sort(sources.begin(), sources.end());
    for (int i = 0; i < 12; ++i) {
      const fs::path to = class_.path() / ("s" + std::to_string(10 + i) + "-" +
                                           sources[i % sources.size()].filename().string());
      fs::copy(sources[i % sources.size()], to, fs::copy_options::recursive);
    }
  }
  std::set<std::string> students() const {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(class_.path())) out.insert(e.path().filename().string());
    return out;
  }
  CliResult batch(const fs::path& out, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{
        "batch", sample("msgqueue-relay").string(), class_.path().string(), "--out", out.string(), "--jobs",
        "2"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_ipcgrade(args);
  }
  TempDir class_, out_;
};

YAML::Node report_of(const fs::path& out, const std::string& student) {
  return YAML::LoadFile((out / student / "report.yaml").string());
}

}  // namespace

namespace {

std::string file(const fs::path& path) {
  return ipcgrade::util::read_file(path);
}

std::vector<std::string> owned_by(const fs::path& shard) {
  return YAML::LoadFile((shard / "shard.yaml").string())["students"].as<std::vector<std::string>>();
}

// Kills the worker of a running batch that grades the process whose command line holds `needle`. A
// worker's command line is the batch's own (it names no student) and it is not dumpable (its
// /proc/PID/fd is closed without CAP_SYS_PTRACE): it is found from that process by climbing the parents
// (/proc/PID/stat is open to all) to the one whose parent is the batch itself.
pid_t parent_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  const std::string stat((std::istreambuf_iterator<char>(in)), {});
  const size_t close = stat.rfind(')');
  return close == std::string::npos || close + 4 > stat.size()
             ? 0
             : static_cast<pid_t>(std::atoi(stat.c_str() + close + 4));
}
bool kill_worker_above(const std::string& needle) {
  const auto below = processes_with(needle);
  const auto batches = processes_with(std::string("\0batch\0", 7));
  if (below.empty() || batches.empty()) return false;
  // The batch is the oldest of the processes with its command line (its forks share it).
  const pid_t batch = *std::min_element(batches.begin(), batches.end());
  for (pid_t pid = below.front(), up = parent_of(pid); pid > 1; pid = up, up = parent_of(pid)) {
    if (up == batch) {
      ::kill(pid, SIGKILL);
      return true;
    }
  }
  return false;
}

// Shards of one class share the secret its keys derive from (docs/cluster.md): without it, each batch
// draws its own, and the keys the feedback names differ from one grading of the class to another.
struct ClassSecret {
  ClassSecret() { ::setenv("IPCGRADE_KEY_SECRET", "0123456789abcdef0123456789abcdef", 1); }
  ~ClassSecret() { ::unsetenv("IPCGRADE_KEY_SECRET"); }
};

}  // namespace

TEST_F(Batch, EveryReportEqualsASingleGradingAndTheGradebookMatches) {
  const CliResult r = batch(out_.path(), {"--gradescope", "--junit"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("[12/12] "), std::string::npos) << r.err;  // plain progress lines when not a TTY
  const std::string csv = ipcgrade::util::read_file(out_.path() / "gradebook.csv");
  EXPECT_EQ(
      csv.substr(0, csv.find('\n')),
      "student,score,max_score,every client gets its own word back,the long word comes back in upper "
      "case,the server reports how many clients it served,every program exits with status 0,the queue is "
      "removed,msgget uses the assigned key,the queue is private to its owner,\"msgsz counts the payload, "
      "not "
      "the mtype\",clients receive only replies of their own pid,varied");
  // Each student graded alone (two at a time where each grading has IPC namespaces of its own).
  std::vector<std::vector<std::string>> gradings;
  for (const auto& student : students())
    gradings.push_back(
        {"grade", sample("msgqueue-relay").string(), (class_.path() / student).string(), "--json"});
  const std::vector<CliResult> singles = run_ipcgrade_each(gradings);
  size_t n = 0;
  for (const auto& student : students()) {
    SCOPED_TRACE(student);
    const YAML::Node batch_report = report_of(out_.path(), student);
    const json one = json::parse(singles[n++].out);
    EXPECT_EQ(batch_report["score"].as<double>(), one["score"].get<double>());
    ASSERT_EQ(batch_report["checks"].size(), one["checks"].size());
    std::string line = student + "," + std::to_string(one["score"].get<int>()) + ",100";
    for (size_t i = 0; i < one["checks"].size(); ++i) {
      EXPECT_EQ(batch_report["checks"][i]["status"].as<std::string>(),
                one["checks"][i]["status"].get<std::string>());
      line += "," + std::to_string(one["checks"][i]["score"].get<int>());
    }
    EXPECT_NE(csv.find(line + ",\n"), std::string::npos) << line;  // nothing varied: one run each
    // The exports are there and parse.
    const json gs = json::parse(std::ifstream(out_.path() / student / "results.json"));
    EXPECT_EQ(gs["score"], one["score"]);
    // One test per check, two for a check over visible and hidden scenarios (its parts).
    size_t tests = 0;
    for (const auto& c : one["checks"]) tests += c.contains("parts") ? c["parts"].size() : 1;
    EXPECT_EQ(gs["tests"].size(), tests);
    pugi::xml_document junit;
    EXPECT_TRUE(junit.load_file((out_.path() / student / "junit.xml").c_str()));
  }
  const std::string summary = ipcgrade::util::read_file(out_.path() / "summary.md");
  EXPECT_NE(summary.find("12 submissions"), std::string::npos) << summary;
  EXPECT_NE(summary.find("| the queue is removed | "), std::string::npos) << summary;
  // The one that does not compile is counted apart, and its build failure is not any check's most
  // common feedback.
  EXPECT_NE(summary.find("\n1 submission(s) did not build: every check failed with the build.\n"),
            std::string::npos)
      << summary;
  EXPECT_EQ(summary.find("% of the class: The submission did not build"), std::string::npos) << summary;
  // A worker's log is kept only when it says something.
  for (const auto& e : fs::recursive_directory_iterator(out_.path())) {
    if (e.path().filename() == "grader.log") {
      EXPECT_GT(fs::file_size(e.path()), 0u) << e.path();
    }
  }
}

TEST_F(Batch, ShardsSplitTheClassExactly) {
  TempDir a, b;
  ASSERT_EQ(batch(a.path(), {"--shard", "0/2"}).code, 0);
  ASSERT_EQ(batch(b.path(), {"--shard", "1/2"}).code, 0);
  std::set<std::string> first, second;
  for (const auto& e : fs::directory_iterator(a.path())) {
    if (e.is_directory()) first.insert(e.path().filename().string());
  }
  for (const auto& e : fs::directory_iterator(b.path())) {
    if (e.is_directory()) second.insert(e.path().filename().string());
  }
  EXPECT_EQ(first.size(), 6u);
  EXPECT_EQ(second.size(), 6u);
  std::set<std::string> both = first;
  both.insert(second.begin(), second.end());
  EXPECT_EQ(both, students());  // disjoint and complete
  EXPECT_EQ(batch(a.path(), {"--shard", "2/2"}).code, 2);
}

TEST_F(Batch, TrackedModeGradesTheClassTheSameAndSaysSo) {
  TempDir namespaced, tracked;
  ASSERT_EQ(batch(namespaced.path(), {"--shard", "0/3"}).code, 0);
  ASSERT_EQ(batch(tracked.path(), {"--shard", "0/3", "--isolation", "tracked"}).code, 0);
  EXPECT_EQ(ipcgrade::util::read_file(tracked.path() / "gradebook.csv"),
            ipcgrade::util::read_file(namespaced.path() / "gradebook.csv"));
  size_t reports = 0;
  for (const auto& e : fs::directory_iterator(tracked.path())) {
    if (!e.is_directory()) continue;
    ++reports;
    EXPECT_EQ(YAML::LoadFile((e.path() / "report.yaml").string())["mode"].as<std::string>(), "tracked")
        << e.path();
  }
  EXPECT_EQ(reports, owned_by(tracked.path()).size());
  // `check` takes the option too.
  const CliResult check =
      run_ipcgrade({"check", sample("msgqueue-relay").string(), sample("msgqueue-relay/solution").string(),
                    "--isolation", "tracked"});
  EXPECT_EQ(check.code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("isolation tracked"), std::string::npos) << check.out;
  // Full marks on what `check` runs, and what is left for the instructor's grading.
  EXPECT_NE(check.out.find("\nThat is 55/55 on the visible checks; 45 more points are in hidden checks.\n"),
            std::string::npos)
      << check.out;
}

TEST_F(Batch, KilledAndResumedGivesTheSameGradebook) {
  TempDir whole;
  ASSERT_EQ(batch(whole.path()).code, 0);
  // Start a batch and SIGKILL it part way.
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execl(IPCGRADE_BINARY, "ipcgrade", "batch", sample("msgqueue-relay").c_str(), class_.path().c_str(),
            "--out", out_.path().c_str(), "--jobs", "1", (char*)nullptr);
    ::_exit(127);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // its workers die with it
  size_t complete = 0;
  for (const auto& s : students()) complete += fs::exists(out_.path() / s / "report.yaml") ? 1 : 0;
  EXPECT_LT(complete, 12u) << "the batch finished before it could be killed";
  const CliResult resumed = batch(out_.path(), {"--resume"});
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  EXPECT_EQ(ipcgrade::util::read_file(out_.path() / "gradebook.csv"),
            ipcgrade::util::read_file(whole.path() / "gradebook.csv"));
}

TEST_F(Batch, AWorkerThatDiesIsAnInternalFaultAndTheBatchGoesOn) {
  // A student whose build hangs; its worker is killed while the others are graded.
  TempDir assignment, klass, out;
  assignment.write(
      "assignment.yaml",
      "assignment: fragile\nbuild: {command: sh build.sh, timeout: 60s}\nscenarios:\n  - name: s\n"
      "    processes: [{name: p, run: ./p}]\nchecks:\n  - {name: runs, type: exit, points: 4}\n");
  klass.write("alice/build.sh", "printf '#!/bin/sh\\nexit 0\\n' > p; chmod +x p\n");
  klass.write("bob/build.sh", "sleep 30.555\n");
  klass.write("carol/build.sh", "printf '#!/bin/sh\\nexit 0\\n' > p; chmod +x p\n");
  auto kill_matching = [](const std::string& needle) {
    const auto pids = processes_with(needle);
    for (pid_t pid : pids) ::kill(pid, SIGKILL);
    return !pids.empty();
  };
  // Kills bob's worker: found from bob's hung build, the `sleep 30.555` below it (kill_worker_above).
  bool named_on_a_command_line = false;
  bool secret_in_an_environment = false;  // the class's key secret, which the batch drew
  bool saw_a_worker = false;
  auto kill_worker = [&] {
    named_on_a_command_line = named_on_a_command_line || !processes_with("--student").empty();
    // A worker (`ipcgrade grade-worker`, started with Boost.Process) gets the secret on its stdin: its
    // environment is readable for a moment after exec, before it makes itself not dumpable.
    for (pid_t worker : processes_with(std::string("\0grade-worker", 13))) {
      saw_a_worker = true;
      const std::string env = ipcgrade::util::read_proc_file("/proc/" + std::to_string(worker) + "/environ");
      secret_in_an_environment =
          secret_in_an_environment || env.find("IPCGRADE_KEY_SECRET=") != std::string::npos;
    }
    return kill_worker_above(
        std::string("sleep\0"
                    "30.555",
                    12));
  };
  std::thread killer([&] {
    for (int i = 0; i < 200 && !kill_worker(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
  });
  const CliResult r = run_ipcgrade({"batch", assignment.path().string(), klass.path().string(), "--out",
                                    out.path().string(), "--jobs", "2"});
  killer.join();
  kill_matching(
      std::string("sleep\0"
                  "30.555",
                  12));  // the hung build the dead worker left behind
  // A student whose grading faulted is not graded: exit 3, which a scheduler retries.
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.err.find("ipcgrade: 1 student(s) not graded, the grader failed: bob; run the same command with "
                       "--resume to grade them again"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(named_on_a_command_line) << "a worker's command line named the student it grades";
  EXPECT_TRUE(saw_a_worker) << "no `ipcgrade grade-worker` was seen";
  EXPECT_FALSE(secret_in_an_environment) << "a worker's environment held the class's key secret";
  const YAML::Node bob = report_of(out.path(), "bob");
  EXPECT_EQ(bob["internal_fault"].as<std::string>(), "the grader's worker was killed by signal 9 (Killed)");
  EXPECT_EQ(bob["score"].as<int>(), 0);
  EXPECT_EQ(report_of(out.path(), "alice")["score"].as<int>(), 4);
  EXPECT_EQ(report_of(out.path(), "carol")["score"].as<int>(), 4);
  EXPECT_EQ(ipcgrade::util::read_file(out.path() / "gradebook.csv"),
            "student,score,max_score,runs,varied\nalice,4,4,4,\nbob,0,4,,\ncarol,4,4,4,\n");
}

// A class graded as three shards and merged is the class graded at once: the same gradebook, summary and
// class page, byte for byte, and every student's folder.
TEST_F(Batch, ThreeShardsMergedAreTheWholeClass) {
  const ClassSecret secret;
  TempDir whole, merged;
  ASSERT_EQ(batch(whole.path()).code, 0);
  TempDir shards[3];
  std::set<std::string> owned;
  for (int i = 0; i < 3; ++i) {
    const CliResult r = batch(shards[i].path(), {"--shard", std::to_string(i) + "/3"});
    ASSERT_EQ(r.code, 0) << r.err;
    const YAML::Node shard = YAML::LoadFile((shards[i].path() / "shard.yaml").string());
    EXPECT_EQ(shard["shard"].as<int>(), i);
    EXPECT_EQ(shard["shards"].as<int>(), 3);
    EXPECT_EQ(shard["class"].size(), 12u);
    EXPECT_EQ(shard["modes"][0].as<std::string>(), namespaces_available() ? "namespaces" : "tracked");
    EXPECT_EQ(shard["assignment"]["id"].as<std::string>(), "msgqueue-relay");
    EXPECT_TRUE(shard["enforced"]["three clients"]["wall"]) << shard["enforced"];
    for (const auto& s : owned_by(shards[i].path())) EXPECT_TRUE(owned.insert(s).second) << s << " twice";
  }
  EXPECT_EQ(owned, students());
  const CliResult m = run_ipcgrade({"merge", merged.path().string(), shards[0].path().string(),
                                    shards[1].path().string(), shards[2].path().string()});
  ASSERT_EQ(m.code, 0) << m.err;
  EXPECT_EQ(m.err, "");
  EXPECT_NE(m.out.find("12 student(s) from 3 shard folder(s)"), std::string::npos) << m.out;
  EXPECT_EQ(file(merged.path() / "gradebook.csv"), file(whole.path() / "gradebook.csv"));
  // The summary and the page quote feedback, which names pids and queue ids: in tracked mode they are
  // the host's, different in every grading.
  if (namespaces_available()) {
    for (const char* f : {"summary.md", "index.html"})
      EXPECT_EQ(file(merged.path() / f), file(whole.path() / f)) << f;
  }
  for (const auto& s : students()) {
    EXPECT_EQ(file(merged.path() / s / "report.yaml").size() > 0, true) << s;
    EXPECT_TRUE(fs::exists(merged.path() / s / "report.html")) << s;
  }
  EXPECT_EQ(owned_by(merged.path()).size(), 12u);

  // A thirteenth submission, first in name order, moves nobody: resumed, each shard keeps its students,
  // and one shard grades the newcomer.
  fs::copy(sample("msgqueue-relay/solution"), class_.path() / "s00-early", fs::copy_options::recursive);
  size_t graded = 0;
  for (int i = 0; i < 3; ++i) {
    const auto before = owned_by(shards[i].path());
    const CliResult r = batch(shards[i].path(), {"--shard", std::to_string(i) + "/3", "--resume"});
    ASSERT_EQ(r.code, 0) << r.err;
    auto after = owned_by(shards[i].path());
    std::erase(after, "s00-early");
    EXPECT_EQ(after, before) << "shard " << i;
    if (r.out.find(": 1 graded, " + std::to_string(before.size()) + " kept from an earlier run") !=
        std::string::npos)
      ++graded;
    else
      EXPECT_NE(r.out.find(": 0 graded, " + std::to_string(before.size()) + " kept from an earlier run"),
                std::string::npos)
          << r.out;
  }
  EXPECT_EQ(graded, 1u);
}

// A shard that is missing, or graded differently, is said: exit 3 naming the students not graded, and a
// warning for a shard graded under another mode.
TEST_F(Batch, AMissingShardIsNamedAndAShardGradedOtherwiseIsFlagged) {
  TempDir zero, one, tracked, merged;
  ASSERT_EQ(batch(zero.path(), {"--shard", "0/2"}).code, 0);
  const CliResult m = run_ipcgrade({"merge", merged.path().string(), zero.path().string()});
  EXPECT_EQ(m.code, 3) << m.err;
  const auto missing = owned_by(zero.path()).size();
  EXPECT_NE(m.err.find("ipcgrade: " + std::to_string(12 - missing) + " student(s) not graded:\n"),
            std::string::npos)
      << m.err;
  for (const auto& s : students()) {
    const auto mine = owned_by(zero.path());
    if (std::find(mine.begin(), mine.end(), s) == mine.end()) {
      EXPECT_NE(m.err.find("  " + s + " (shard 1/2 was not given)\n"), std::string::npos) << m.err;
    }
  }
  // Shards of two different cuts of the class do not merge.
  ASSERT_EQ(batch(one.path(), {"--shard", "1/3"}).code, 0);
  const CliResult cuts =
      run_ipcgrade({"merge", merged.path().string(), zero.path().string(), one.path().string()});
  EXPECT_EQ(cuts.code, 2);
  EXPECT_NE(cuts.err.find("shard 1/3, but " + zero.path().string() + " is shard 0/2"), std::string::npos)
      << cuts.err;
  if (!namespaces_available()) GTEST_SKIP() << "this machine refuses namespaces: every shard is tracked";
  ASSERT_EQ(batch(tracked.path(), {"--shard", "1/2", "--isolation", "tracked"}).code, 0);
  const CliResult both =
      run_ipcgrade({"merge", merged.path().string(), zero.path().string(), tracked.path().string()});
  EXPECT_EQ(both.code, 0) << both.err;
  EXPECT_NE(both.err.find("ipcgrade: warning: shard 1 was graded in tracked mode, shard 0 in namespaces"),
            std::string::npos)
      << both.err;
  EXPECT_NE(file(merged.path() / "summary.md").find("## Merged from shards that differ"), std::string::npos);
}

// A worker killed while it grades leaves its student not graded: the batch exits 3 naming them, and
// the same command with --resume grades that student again (and only them), as a scheduler's retry
// would; the gradebook is then the one of a batch that was never disturbed.
TEST(BatchRetry, AWorkerKilledMidShardIsExit3AndResumeHealsIt) {
  TempDir assignment, klass, whole, out;
  assignment.write("assignment.yaml",
                   "assignment: slow\nlimits: {wall: 2s}\nscenarios:\n  - name: s\n    processes: [{name: p, "
                   "run: ./p}]\nchecks:\n  - {name: ends, type: exit, points: 4}\n");
  for (const char* student : {"alice", "bob", "carol"}) {
    klass.write(std::string(student) + "/p",
                std::string(student) == "bob" ? "#!/bin/sh\nexec sleep 30.777\n" : "#!/bin/sh\nexit 0\n");
    fs::permissions(klass.path() / student / "p", fs::perms(0755));
  }
  auto batch = [&](const fs::path& to, std::vector<std::string> extra) {
    std::vector<std::string> args{"batch", assignment.path().string(), klass.path().string(), "--out",
                                  to.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_ipcgrade(args);
  };
  ASSERT_EQ(batch(whole.path(), {}).code, 0);
  std::atomic<bool> killed = false;
  std::thread killer([&] {
    for (int i = 0; i < 200 && !killed; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
      killed =
          kill_worker_above(std::string("sleep\0"
                                        "30.777",
                                        12));
    }
  });
  const CliResult r = batch(out.path(), {});
  killer.join();
  ASSERT_TRUE(killed) << "no worker was found to kill";
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.err.find("ipcgrade: 1 student(s) not graded, the grader failed: bob; run the same command with "
                       "--resume to grade them again"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(report_of(out.path(), "bob")["internal_fault"].as<std::string>(),
            "the grader's worker was killed by signal 9 (Killed)");
  const CliResult resumed = batch(out.path(), {"--resume"});
  EXPECT_EQ(resumed.code, 0) << resumed.err;
  EXPECT_NE(
      resumed.out.find("3 submission(s): 1 graded, 2 kept from an earlier run, 1 fault(s) graded again"),
      std::string::npos)
      << resumed.out;
  EXPECT_EQ(file(out.path() / "gradebook.csv"), file(whole.path() / "gradebook.csv"));
}

TEST_F(Batch, CheckRunsOnlyVisibleScenariosAndNamesNoHiddenOne) {
  // A student's folder that names its assignment in .ipcgrade, checked from inside the folder.
  const fs::path mine = class_.path() / "s10-solution";
  std::ofstream(mine / ".ipcgrade") << sample("msgqueue-relay").string() << "\n";
  const std::string command = "cd '" + mine.string() + "' && " + IPCGRADE_BINARY + " check";
  FILE* pipe = ::popen(command.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  const int status = ::pclose(pipe);
  EXPECT_EQ(WEXITSTATUS(status), 0) << out;
  EXPECT_NE(out.find("scenario 'three clients'"), std::string::npos) << out;
  EXPECT_EQ(out.find("two long words"), std::string::npos) << out;            // the hidden scenario
  EXPECT_EQ(out.find("the long word comes back"), std::string::npos) << out;  // its check
  EXPECT_NE(out.find("Every visible check passes."), std::string::npos) << out;
  // A variant fails its visible checks, still without a word about the hidden scenario.
  const CliResult broken = run_ipcgrade({"check", sample("msgqueue-relay").string(),
                                         sample("msgqueue-relay/variants/queue-never-removed").string()});
  EXPECT_EQ(broken.code, 1);
  EXPECT_NE(broken.out.find("FAIL  the queue is removed"), std::string::npos) << broken.out;
  EXPECT_NE(broken.out.find("1 message queue was left behind"), std::string::npos) << broken.out;
  EXPECT_EQ(broken.out.find("two long words"), std::string::npos) << broken.out;
}

// The reports in an --out are the record of an earlier run: a second batch into it without --resume or
// --force is refused (exit 2) before anything is graded, and says how to go on; the reports stay.
TEST(BatchOut, AnOutThatHoldsReportsIsGradedAgainOnlyWhenAsked) {
  TempDir assignment, klass, out;
  assignment.write("assignment.yaml",
                   "assignment: tiny\nscenarios:\n  - name: s\n    processes: [{name: p, run: ./p}]\n"
                   "checks:\n  - {name: runs, type: exit, points: 4}\n");
  for (const char* student : {"alice", "bob"}) {
    klass.write(std::string(student) + "/p", "#!/bin/sh\nexit 0\n");
    fs::permissions(klass.path() / student / "p", fs::perms(0755));
  }
  auto batch = [&](std::vector<std::string> extra) {
    std::vector<std::string> args{"batch", assignment.path().string(), klass.path().string(), "--out",
                                  out.path().string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_ipcgrade(args);
  };
  ASSERT_EQ(batch({}).code, 0);
  const std::string before = ipcgrade::util::read_file(out.path() / "alice" / "report.yaml");
  const CliResult again = batch({});
  EXPECT_EQ(again.code, 2) << again.err;
  EXPECT_NE(
      again.err.find(out.path().string() +
                     " already holds the reports of an earlier run (2 of these 2 students', and "
                     "gradebook.csv): add --resume to keep them and grade the others, or --force to grade "
                     "every student again"),
      std::string::npos)
      << again.err;
  EXPECT_EQ(ipcgrade::util::read_file(out.path() / "alice" / "report.yaml"), before);
  EXPECT_EQ(batch({"--resume"}).code, 0);
  EXPECT_EQ(batch({"--force"}).code, 0);
}

namespace {

// The columns a redrawn line takes: code points, the escape that clears the line aside.
size_t columns_of(std::string line) {
  for (size_t at; (at = line.find("\033[K")) != std::string::npos;) line.erase(at, 3);
  size_t n = 0;
  for (unsigned char c : line) n += (c & 0xc0) != 0x80 ? 1 : 0;
  return n;
}

}  // namespace

// On a 60-column terminal the progress line is cut to the width (a longer one wraps, and every redraw
// leaves a broken copy), names the time per student, and Ctrl-C says how to go on.
TEST_F(Batch, TheProgressLineFitsTheTerminalAndCtrlCSaysHowToGoOn) {
  const TerminalResult t =
      run_in_terminal({"batch", sample("msgqueue-relay").string(), class_.path().string(), "--out",
                       out_.path().string(), "--jobs", "2"},
                      std::chrono::seconds(120), {}, 60);
  EXPECT_EQ(WEXITSTATUS(t.status), 0) << t.screen;
  size_t lines = 0;
  std::string line;
  for (char c : t.screen) {
    if (c == '\r' || c == '\n') {
      // The lines redrawn in place (they open by clearing the line): the one summary line at the end is
      // printed once and may wrap.
      if (line.rfind("\033[K", 0) == 0) {
        EXPECT_LE(columns_of(line), 60u) << line;
        ++lines;
      }
      line.clear();
    } else {
      line += c;
    }
  }
  EXPECT_GT(lines, 12u);
  EXPECT_NE(t.screen.find("12/12 graded · "), std::string::npos) << t.screen;
  EXPECT_NE(t.screen.find(" s/student · ETA "), std::string::npos) << t.screen;

  TempDir again;
  bool sent = false;
  const TerminalResult stopped =
      run_in_terminal({"batch", sample("msgqueue-relay").string(), class_.path().string(), "--out",
                       again.path().string(), "--jobs", "1"},
                      std::chrono::seconds(120), [&](const std::string& screen, int terminal) {
                        if (!sent && screen.find("1/12 graded") != std::string::npos)
                          sent = ::write(terminal, "\x03", 1) == 1;
                      });
  ASSERT_TRUE(sent) << stopped.screen;
  EXPECT_EQ(WEXITSTATUS(stopped.status), 130) << stopped.screen;
  EXPECT_NE(stopped.screen.find("interrupted: "), std::string::npos) << stopped.screen;
  EXPECT_NE(stopped.screen.find("; run the same command with --resume to grade the rest"), std::string::npos)
      << stopped.screen;
  const CliResult resumed = batch(again.path(), {"--resume"});
  EXPECT_EQ(resumed.code, 0) << resumed.err;
  EXPECT_NE(resumed.err.find("resuming: "), std::string::npos) << resumed.err;
}
