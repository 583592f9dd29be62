// Races exposed by running each scenario under several seeded schedules (`runs: 5`): the race-lab
// sample's three racy variants are caught, its solution passes every run, the report gives each check's
// runs and a failing seed, and that seed replays the run. How often each race is caught is measured by
// bench/races.sh over 40 gradings; here on a few, with a generous bound, and never on timing.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <regex>
#include <set>

#include "tests/host_clean.hpp"
#include "tests/report_json.hpp"
#include "tests/run_cli.hpp"

using namespace ipcgrade::testing;
using nlohmann::json;

namespace {

class Races : public HostCleanTest {
 protected:
  json grade(const std::string& submission, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"grade", sample("race-lab").string(),
                                     sample("race-lab/" + submission).string(), "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    const CliResult r = run_ipcgrade(args);
    EXPECT_TRUE(r.code == 0 || r.code == 1) << r.err;
    return json::parse(r.out);
  }
};

// Other work of the machine, at the lowest priority, keeping every CPU busy while it lives (as a CI
// machine building a container image beside the suite does): one spinning process per CPU.
class BusyMachine {
 public:
  BusyMachine() {
    for (long i = 0; i < ::sysconf(_SC_NPROCESSORS_ONLN); ++i) {
      const pid_t pid = ::fork();
      if (pid == 0) {
        ::setpriority(PRIO_PROCESS, 0, 19);
        for (;;) {
        }
      }
      if (pid > 0) spinners_.push_back(pid);
    }
  }
  ~BusyMachine() {
    for (const pid_t pid : spinners_) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
  BusyMachine(const BusyMachine&) = delete;
  BusyMachine& operator=(const BusyMachine&) = delete;

 private:
  std::vector<pid_t> spinners_;
};

constexpr const char* kCounter = "the counter is exact";
constexpr const char* kNote = "the note arrives";
constexpr const char* kGreeting = "the child greets before the parent is done";

}  // namespace

TEST_F(Races, TheSolutionPassesEveryRunOfEveryScenario) {
  {
    const json r = grade("solution");
    EXPECT_EQ(r["score"], 100) << r["checks"].dump(2);
    for (const auto& c : r["checks"]) {
      EXPECT_EQ(c["runs"], 5) << c;
      EXPECT_EQ(c["runs_passed"], 5) << c;
    }
    for (const auto& s : r["scenarios"]) {
      ASSERT_EQ(s["runs"].size(), 5u) << s;
      // Five runs, five consecutive seeds: each names its own schedule.
      const auto first = s["runs"][0]["seed"].get<std::uint64_t>();
      for (size_t k = 0; k < 5; ++k) EXPECT_EQ(s["runs"][k]["seed"].get<std::uint64_t>(), first + k);
      EXPECT_NE(s["enforced"]["schedule"].get<std::string>().find("seed "), std::string::npos)
          << s["enforced"];
    }
  }
}

// Each race is caught (its check fails, naming a failing seed): in at least 1 of 2 gradings here (the
// second only when the first missed it); bench/races.sh measures the rate over 40 (40 of 40 for each).
TEST_F(Races, EachRacyVariantIsCaughtWithTheScheduleNamed) {
  for (const auto& [variant, name] :
       std::vector<std::pair<std::string, std::string>>{{"counter-without-semaphore", kCounter},
                                                        {"send-before-msgget", kNote},
                                                        {"output-order-assumed", kGreeting}}) {
    SCOPED_TRACE(variant);
    int caught = 0;
    for (int grading = 0; grading < 2 && caught == 0; ++grading) {
      const json r = grade("variants/" + variant);
      const json& c = check_named(r, name);
      if (c["status"] != "failed") continue;
      ++caught;
      EXPECT_EQ(c["runs"], 5);
      EXPECT_LT(c["runs_passed"].get<int>(), 5);
      ASSERT_TRUE(c.contains("seed")) << c;
      const std::string feedback = c["feedback"];
      if (c["runs_passed"].get<int>() > 0) {
        EXPECT_TRUE(
            std::regex_search(feedback, std::regex(R"(^Passed \d of 5 runs — the result depends on the )"
                                                   R"(schedule \(seed \d+ fails\)\. )")))
            << feedback;
      }
    }
    EXPECT_GE(caught, 1) << variant << " was caught in " << caught << " of 2 gradings";
  }
}

// When outputs differ across runs, the feedback shows two of them side by side; the failing seed, given
// back with --runs 1, runs that schedule again (as far as the kernel allows: asserted on two tries).
TEST_F(Races, AFailingSeedReplaysTheRun) {
  std::optional<std::uint64_t> seed;
  for (int grading = 0; grading < 5 && !seed; ++grading) {
    const json r = grade("variants/output-order-assumed");
    const json& c = check_named(r, kGreeting);
    if (c["status"] != "failed" || !c.contains("seed")) continue;
    seed = c["seed"].get<std::uint64_t>();
    if (c["runs_passed"].get<int>() > 0) {
      EXPECT_NE(c["feedback"].get<std::string>().find("in the run with seed"), std::string::npos)
          << c["feedback"];
    }
  }
  ASSERT_TRUE(seed) << "the race was not caught in five gradings";
  int failed_again = 0;
  for (int attempt = 0; attempt < 2; ++attempt) {
    const json r = grade("variants/output-order-assumed", {"--seed", std::to_string(*seed), "--runs", "1"});
    const json& c = check_named(r, kGreeting);
    EXPECT_FALSE(c.contains("runs")) << "one run is reported as an ordinary check: " << c;
    for (const auto& s : r["scenarios"]) EXPECT_EQ(s["seed"], *seed);
    failed_again += c["status"] == "failed" ? 1 : 0;
  }
  EXPECT_GE(failed_again, 1) << "seed " << *seed << " did not fail again in two replays";
}

// `runs: majority` or `any` lets a check hold without every run: the feedback still says it varied.
TEST_F(Races, ACheckThatNeedsOnlySomeRunsSaysItVaried) {
  TempDir dir;
  const std::string yaml = read_whole(sample("race-lab/assignment.yaml"));
  const std::string relaxed =
      std::regex_replace(yaml, std::regex("(stdout: \\{equals: \"child: hello\\\\nparent: done\\\\n\"\\})"),
                         "$1\n    runs: any");
  ASSERT_NE(relaxed, yaml);
  dir.write("assignment.yaml", relaxed);
  // The programs are built from the submission: point the build at the sample's variant.
  const CliResult r = run_ipcgrade(
      {"grade", dir.path().string(), sample("race-lab/variants/output-order-assumed").string(), "--json"});
  const json report = json::parse(r.out);
  const json& c = check_named(report, kGreeting);
  if (c["runs_passed"].get<int>() == 0) GTEST_SKIP() << "no run of five printed in order this time";
  EXPECT_EQ(c["status"], "passed");
  EXPECT_EQ(c["score"], 35);
  if (c["runs_passed"].get<int>() < 5) {
    EXPECT_TRUE(
        std::regex_search(c["feedback"].get<std::string>(),
                          std::regex(R"(^Passed \d of 5 runs \(any needed\) — the result depends on the )"
                                     R"(schedule \(seed \d+ fails\)\.)")))
        << c["feedback"];
  }
}

// The same code meets the same schedules: a scenario's seed comes from the assignment and the
// submission's files, so a second grading, and a copy of the submission under another name, get the
// same seeds; a changed file gets others. (`--seed` still picks them.)
TEST_F(Races, IdenticalCopiesAreGradedUnderTheSameSeeds) {
  namespace fs = std::filesystem;
  auto seeds = [](const json& r) {
    std::vector<std::uint64_t> out;
    for (const auto& s : r["scenarios"])
      for (const auto& run : s["runs"]) out.push_back(run["seed"].get<std::uint64_t>());
    return out;
  };
  TempDir copies;
  fs::copy(sample("race-lab/solution"), copies.path() / "alice", fs::copy_options::recursive);
  fs::copy(sample("race-lab/solution"), copies.path() / "bob", fs::copy_options::recursive);
  auto graded = [&](const fs::path& submission, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {
        "grade", sample("race-lab").string(), submission.string(), "--json", "--runs", "2"};
    args.insert(args.end(), extra.begin(), extra.end());
    return json::parse(run_ipcgrade(args).out);
  };
  const auto alice = seeds(graded(copies.path() / "alice"));
  ASSERT_FALSE(alice.empty());
  EXPECT_EQ(seeds(graded(copies.path() / "alice")), alice) << "graded again";
  EXPECT_EQ(seeds(graded(copies.path() / "bob")), alice) << "an identical copy";
  std::ofstream(copies.path() / "bob" / "NOTES.txt") << "a file more\n";
  EXPECT_NE(seeds(graded(copies.path() / "bob")), alice) << "another submission";
  const auto given = seeds(graded(copies.path() / "alice", {"--seed", "4242"}));
  ASSERT_FALSE(given.empty());
  EXPECT_EQ(given[0], 4242u);
}

// A parent and the child it forks each add 1, 40,000 times, to a counter in shared memory with no
// semaphore: about one plain run in eight loses an update. Under `runs: 5` the parent and the child start
// together at the fork (neither runs ahead while the other is held) and, in spread runs, on two CPUs (the
// kernel would otherwise wake the child beside its parent whenever the machine's other work keeps every
// CPU busy), so the race is caught in at least 9 gradings of 10, here with every CPU busy at nice 19
// (it was caught in none while the new child was held at its start, and in 1 of 20 on a busy machine
// while the kernel placed the child).
TEST_F(Races, AParentAndItsChildRacingOnASharedCounterAreCaught) {
  namespace fs = std::filesystem;
  TempDir dir;
  dir.write(
      "assignment.yaml",
      "assignment: counter\nbuild: {command: make, timeout: 60s}\nscenarios:\n  - name: s\n    runs: 5\n"
      "    processes:\n      - {name: c, run: ./c}\nchecks:\n"
      "  - {name: counts to 800000, type: output, process: c, stdout: {equals: \"800000\\n\"}, points: "
      "10}\n");
  dir.write("s/c.c",
            "#include <stdio.h>\n#include <sys/ipc.h>\n#include <sys/shm.h>\n#include <sys/wait.h>\n#include "
            "<unistd.h>\n"
            "int main(void) {\n"
            "  int id = shmget(IPC_PRIVATE, sizeof(long), IPC_CREAT | 0600);\n"
            "  volatile long *n = shmat(id, NULL, 0);\n"
            "  *n = 0;\n"
            "  pid_t c = fork();\n"
            "  for (int i = 0; i < 400000; i++) *n = *n + 1;\n"
            "  if (c == 0) return 0;\n"
            "  waitpid(c, NULL, 0);\n"
            "  printf(\"%ld\\n\", *n);\n"
            "  shmdt((void *)n);\n"
            "  shmctl(id, IPC_RMID, NULL);\n"
            "  return 0;\n"
            "}\n");
  dir.write("s/Makefile", "c: c.c\n\tcc -O0 -o c c.c\n");
  int caught = 0;
  const BusyMachine busy;
  for (int i = 0; i < 10; ++i) {
    const json r =
        json::parse(run_ipcgrade({"grade", dir.path().string(), (dir.path() / "s").string(), "--json"}).out);
    caught += r["checks"][0]["status"] == "failed" ? 1 : 0;
  }
  EXPECT_GE(caught, 9);
}
