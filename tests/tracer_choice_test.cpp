// Which tracer follows a run (`--tracer`, `tracer:`), as the report's enforced.tracer says: the BPF
// observer by default where the grader may load it, ptrace wherever the observer cannot hold the
// contract (tracked mode's guard, a schedule perturbation, a grader without the capability), and a
// grading whose observer lost records graded again under ptrace, with the same grade.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>

#include "grader/observer/observer.hpp"
#include "tests/run_cli.hpp"

namespace fs = std::filesystem;
using namespace ipcgrade;
using namespace ipcgrade::testing;

namespace {

const fs::path kRelay = fs::path(SOURCE_DIR) / "assignments" / "msgqueue-relay";

struct Graded {
  int code = -1;
  double score = -1;
  std::set<std::string> tracers;  // every scenario's enforced.tracer
  std::string err;
};

Graded grade(std::vector<std::string> extra, const std::vector<std::string>& wrapper = {}) {
  std::vector<std::string> args = {"grade", kRelay.string(), (kRelay / "solution").string(), "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  const CliResult r = run_ipcgrade(args, wrapper);
  Graded g{r.code, -1, {}, r.err};
  if (r.code != 0 && r.code != 1) return g;
  const auto report = nlohmann::json::parse(r.out);
  g.score = report.at("score").get<double>();
  for (const auto& s : report.at("scenarios")) g.tracers.insert(s.at("enforced").value("tracer", ""));
  return g;
}

bool starts_with_all(const std::set<std::string>& lines, const std::string& prefix) {
  for (const auto& l : lines) {
    if (l.rfind(prefix, 0) != 0) return false;
  }
  return !lines.empty();
}

}  // namespace

TEST(TracerChoice, AutoObservesWithBpfWhereTheGraderMayLoadIt) {
  IPCGRADE_SKIP_WITHOUT_NAMESPACES();
  if (!observer_loadable()) GTEST_SKIP() << "this machine does not let the grader load the BPF observer";
  const Graded bpf = grade({});
  ASSERT_EQ(bpf.code, 0) << bpf.err;
  EXPECT_TRUE(starts_with_all(bpf.tracers, "bpf: the kernel records msgsnd, msgrcv, semop"))
      << *bpf.tracers.begin();
  const Graded ptrace = grade({"--tracer", "ptrace"});
  EXPECT_TRUE(starts_with_all(ptrace.tracers, "ptrace: asked for")) << *ptrace.tracers.begin();
  EXPECT_EQ(bpf.score, ptrace.score);
  EXPECT_EQ(bpf.score, 100.0);
}

TEST(TracerChoice, TrackedModeAndSchedulePerturbationsArePtraces) {
  if (!observer_loadable()) GTEST_SKIP() << "this machine does not let the grader load the BPF observer";
  const Graded tracked = grade({"--isolation", "tracked"});
  ASSERT_EQ(tracked.code, 0) << tracked.err;
  EXPECT_TRUE(starts_with_all(tracked.tracers, "ptrace: tracked mode's guard must see each IPC call"))
      << *tracked.tracers.begin();
  const Graded asked = grade({"--isolation", "tracked", "--tracer", "bpf"});
  EXPECT_TRUE(starts_with_all(asked.tracers, "ptrace (bpf was asked): tracked mode's guard"))
      << *asked.tracers.begin();
  IPCGRADE_SKIP_WITHOUT_NAMESPACES();
  const Graded runs = grade({"--runs", "2", "--seed", "7"});
  ASSERT_EQ(runs.code, 0) << runs.err;
  EXPECT_TRUE(starts_with_all(runs.tracers, "ptrace: the schedule perturbation holds calls at their stops"))
      << *runs.tracers.begin();
}

TEST(TracerChoice, AGraderWithoutTheCapabilityUsesPtraceAndRefusesBpf) {
  if (::geteuid() != 0 || ::access("/usr/sbin/capsh", X_OK) != 0) GTEST_SKIP() << "needs root and capsh";
  const std::vector<std::string> without = {"/usr/sbin/capsh", "--drop=cap_bpf,cap_perfmon,cap_sys_admin",
                                            std::string("--shell=") + IPCGRADE_BINARY, "--"};
  const Graded g = grade({}, without);
  ASSERT_EQ(g.code, 0) << g.err;
  EXPECT_TRUE(starts_with_all(g.tracers, "ptrace: the grader may not load a BPF program"))
      << *g.tracers.begin();
  EXPECT_EQ(g.score, 100.0);
  const Graded refused = grade({"--tracer", "bpf"}, without);
  EXPECT_EQ(refused.code, 2);
  EXPECT_NE(refused.err.find("--tracer bpf: the grader may not load a BPF program (it needs CAP_BPF and "
                             "CAP_PERFMON, or CAP_SYS_ADMIN)"),
            std::string::npos)
      << refused.err;
}

// A ring too small for the run's records: the observer loses some, and the scenario is graded again
// under ptrace, with the grade the ptrace grading gives and the report saying why.
TEST(TracerChoice, AGradingWhoseObserverLostRecordsIsGradedAgainUnderPtrace) {
  IPCGRADE_SKIP_WITHOUT_NAMESPACES();
  if (!observer_loadable()) GTEST_SKIP() << "this machine does not let the grader load the BPF observer";
  ::setenv("IPCGRADE_OBSERVER_RING", "4096", 1);
  const Graded small = grade({});
  ::unsetenv("IPCGRADE_OBSERVER_RING");
  ASSERT_EQ(small.code, 0) << small.err;
  bool fell_back = false;
  for (const auto& line : small.tracers) {
    if (line.find("the BPF observer lost") != std::string::npos &&
        line.find("graded again with every traced call stopping at ptrace") != std::string::npos)
      fell_back = true;
  }
  EXPECT_TRUE(fell_back) << *small.tracers.begin();
  EXPECT_EQ(small.score, grade({"--tracer", "ptrace"}).score);
}

// The attempt whose observer lost records is not graded, so it is not waited out either: it ends as soon
// as the loss is seen, and the ptrace grading starts then. A program that loops until its wall limit
// (3 s) takes a little over 3 s in all, not 6.
TEST(TracerChoice, AnAttemptThatLostRecordsEndsAtOnce) {
  IPCGRADE_SKIP_WITHOUT_NAMESPACES();
  if (!observer_loadable()) GTEST_SKIP() << "this machine does not let the grader load the BPF observer";
  TempDir dir;
  dir.write("hw/assignment.yaml",
            "assignment: loop\nlimits: {wall: 3s}\nscenarios:\n  - name: loop\n    processes:\n"
            "      - {name: looper, run: ./queue_loop}\n"
            "checks:\n  - {name: nothing left, type: no-leftovers, points: 10}\n");
  fs::create_directories(dir.path() / "student");
  fs::copy_file(fs::path(PROGRAMS_DIR) / "queue_loop", dir.path() / "student" / "queue_loop");
  ::setenv("IPCGRADE_OBSERVER_RING", "4096", 1);
  const CliResult r =
      run_ipcgrade({"grade", (dir.path() / "hw").string(), (dir.path() / "student").string(), "--json"});
  ::unsetenv("IPCGRADE_OBSERVER_RING");
  ASSERT_EQ(r.code, 0) << r.err;  // a run the wall limit stopped is not charged its cleanup
  const auto report = nlohmann::json::parse(r.out);
  const auto& s = report.at("scenarios").at(0);
  EXPECT_EQ(s.at("outcome"), "timeout");
  // The graded attempt ran in a working folder of its own: nothing the killed one made is there.
  EXPECT_EQ(s.at("processes")[0].at("stdout"), "a folder of its own\n");
  const std::string tracer = s.at("enforced").value("tracer", "");
  EXPECT_NE(tracer.find("the BPF observer lost"), std::string::npos) << tracer;
  // The queue and the FIFO the loop never removed are the ptrace grading's, found, reclaimed and excused.
  const auto& left = s.at("leftovers");
  ASSERT_EQ(left.size(), 2u) << left.dump(2);
  std::map<std::string, std::string> at;  // kind -> line
  for (const auto& l : left) {
    at[l.at("kind").get<std::string>()] = l.value("at", "");
    EXPECT_EQ(l.at("cleanup_stopped"), true) << l.dump(2);
  }
  EXPECT_EQ(at["msg"], "queue_loop.c:16") << left.dump(2);
  EXPECT_EQ(at.count("fifo"), 1u) << left.dump(2);
  EXPECT_EQ(report.at("score"), 10.0);
  EXPECT_LT(r.seconds, 5.5) << "the abandoned attempt was waited out";
}

// A loop's calls come from the observer as short repeats of an entry (or exit) the grader already read,
// so a ring of 512 KiB, which holds about 1,000 whole records, is enough for 9,000 calls and exits in a
// few milliseconds; and a repeat is placed where it was made: the same call from another line, equal in
// its arguments, bytes and stack pointer, is an entry of its own, whose line the trace names as
// ptrace's does.
TEST(TracerChoice, ALoopsRepeatsFitASmallRingAndArePlacedWhereTheyAreMade) {
  IPCGRADE_SKIP_WITHOUT_NAMESPACES();
  if (!observer_loadable()) GTEST_SKIP() << "this machine does not let the grader load the BPF observer";
  TempDir dir;
  dir.write("hw/assignment.yaml",
            "assignment: repeats\nscenarios:\n"
            "  - name: places\n    processes:\n      - {name: semaphores, run: [./repeat_sites, sem]}\n"
            "  - name: exits\n    processes:\n      - {name: messages, run: [./repeat_sites, msg]}\n"
            "checks:\n  - {name: nothing left, type: no-leftovers, points: 10}\n");
  fs::create_directories(dir.path() / "student");
  fs::copy_file(fs::path(PROGRAMS_DIR) / "repeat_sites", dir.path() / "student" / "repeat_sites");
  // Each scenario's enforced.tracer and IPC calls in a grading with `tracer`: where each call was
  // placed, what it did, how often.
  struct Graded {
    std::vector<std::string> tracers;
    std::vector<std::vector<std::string>> calls;
  };
  const auto graded = [&](const std::string& tracer) {
    const std::string trace = (dir.path() / (tracer + ".json")).string();
    ::setenv("IPCGRADE_OBSERVER_RING", "524288", 1);
    const CliResult r =
        run_ipcgrade({"grade", (dir.path() / "hw").string(), (dir.path() / "student").string(), "--json",
                      "--tracer", tracer, "--trace", trace});
    ::unsetenv("IPCGRADE_OBSERVER_RING");
    EXPECT_EQ(r.code, 0) << r.err;
    Graded out;
    const auto report = nlohmann::json::parse(r.out);
    for (const auto& s : report.at("scenarios")) out.tracers.push_back(s.at("enforced").value("tracer", ""));
    const auto scenarios = nlohmann::json::parse(read_whole(trace)).at("scenarios");
    for (const auto& s : scenarios) {
      out.calls.emplace_back();
      for (const auto& e : s.at("events")) {
        if (e.value("kind", "") != "call") continue;
        out.calls.back().push_back(e.value("call", "") + " " + e.value("at", "") + " " +
                                   e.value("args", nlohmann::json::object()).dump() + " x" +
                                   std::to_string(e.value("repeat", 1)));
      }
    }
    return out;
  };
  const Graded bpf = graded("bpf"), ptrace = graded("ptrace");
  ASSERT_EQ(bpf.tracers.size(), 2u);
  for (const auto& line : bpf.tracers)
    EXPECT_EQ(line.rfind("bpf:", 0), 0u) << "the observer lost records: " << line;
  EXPECT_EQ(bpf.calls, ptrace.calls);
  // Each place's first semop of each of the 21 rounds is an event of its own, at its own line.
  std::map<std::string, int> at;
  for (const auto& e : bpf.calls.at(0)) {
    const size_t space = e.find(' ');
    ++at[e.substr(space + 1, e.find(' ', space + 1) - space - 1)];
  }
  EXPECT_EQ(at["repeat_sites.c:45"], 21);
  EXPECT_EQ(at["repeat_sites.c:46"], 21);
  EXPECT_EQ(at["repeat_sites.c:51"], 21);
  EXPECT_EQ(at["repeat_sites.c:52"], 21);
}

// Observing, the supervisor shortens its own time slice so that it empties the ring as soon as its timer
// fires; the programs it starts keep the machine's default slice, as they would without the grader.
TEST(TracerChoice, TheProgramsKeepTheDefaultTimeSliceUnderTheObserver) {
  if (!observer_loadable()) GTEST_SKIP() << "this machine does not let the grader load the BPF observer";
  const auto slice_line = [](const std::string& sched) {
    const size_t at = sched.find("se.slice");
    return at == std::string::npos ? std::string() : sched.substr(at, sched.find('\n', at) - at);
  };
  const std::string own = slice_line(read_whole("/proc/self/sched"));
  if (own.empty()) GTEST_SKIP() << "this kernel shows no se.slice in /proc/self/sched";
  const CliResult r = run_ipcgrade({"run", "--tracer", "bpf", "--", "/bin/cat", "/proc/self/sched"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(slice_line(r.out), own) << r.out;
}
