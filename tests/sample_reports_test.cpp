// Every sample submission's report, compared with the one recorded in tests/golden/reports: a change
// to how calls are traced, decoded, judged or rendered that alters what an instructor or a student
// reads fails here, naming the sample. What differs from run to run (durations, the run's uid,
// addresses the kernel picks for shmat) is normalised first.
//
// To record the reports again after a change that means to alter them:
//   IPCGRADE_UPDATE_GOLDEN=1 ./build/tests/integration_tests --gtest_filter='SampleReports.*'
// and review the diff before committing it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>

#include "tests/run_cli.hpp"

namespace fs = std::filesystem;
using namespace ipcgrade::testing;

namespace {

// Times, the run's own uid and the addresses of attachments vary between runs of the same submission.
std::string normalise(const nlohmann::json& report) {
  nlohmann::json j = report;
  const std::function<void(nlohmann::json&)> walk = [&](nlohmann::json& node) {
    if (node.is_object()) {
      for (auto it = node.begin(); it != node.end(); ++it) {
        if (it.key() == "seconds" && it.value().is_number()) {
          it.value() = 0;
        } else {
          walk(it.value());
        }
      }
    } else if (node.is_array()) {
      for (auto& item : node) walk(item);
    }
  };
  walk(j);
  std::string text = j.dump(2);
  text = std::regex_replace(text, std::regex("\"[0-9]+ \\(the run's own\\)\""), "\"UID (the run's own)\"");
  text = std::regex_replace(text, std::regex("0x[0-9a-f]{9,}"), "0xADDRESS");
  // ftok(".", 'x') is 'x' (0x78), then the low bytes of the folder's device and inode: another checkout,
  // another key.
  text = std::regex_replace(text, std::regex("0x78[0-9a-f]{6}"), "0x78FTOKEY");
  // Which tracer followed the run (the BPF observer or ptrace alone) is the machine's; what it recorded
  // must not be.
  text = std::regex_replace(text, std::regex("\"tracer\": \"[^\"]*\""), "\"tracer\": \"TRACER\"");
  return text + "\n";
}

std::vector<std::pair<fs::path, fs::path>> sample_submissions() {
  std::vector<std::pair<fs::path, fs::path>> out;
  std::vector<fs::path> assignments;
  for (const auto& a : fs::directory_iterator(fs::path(SOURCE_DIR) / "assignments")) {
    // race-lab runs its scenarios under seeded schedules, and its variants' reports are the schedule's:
    // tests/races_test.cpp judges it by how often each race is caught instead.
    if (fs::exists(a.path() / "assignment.yaml") && a.path().filename() != "race-lab")
      assignments.push_back(a.path());
  }
  std::sort(assignments.begin(), assignments.end());
  for (const auto& a : assignments) {
    out.emplace_back(a, a / "solution");
    std::vector<fs::path> variants;
    for (const auto& v : fs::directory_iterator(a / "variants")) variants.push_back(v.path());
    std::sort(variants.begin(), variants.end());
    for (const auto& v : variants) {
      // Whichever side first waits on a semaphore nobody gave a value is the schedule's (on a loaded
      // machine, or under the sanitizers, it is the other one): semaphores_test.cpp judges it either way.
      if (a.filename() == "sem-bounded-buffer" && v.filename() == "no-initialization") continue;
      out.emplace_back(a, v);
    }
  }
  return out;
}

}  // namespace

namespace {

// Grades every sample submission with `extra` arguments and compares each report with the recorded one
// (or records it, with IPCGRADE_UPDATE_GOLDEN). Two gradings at a time: each has a sandbox of its own,
// and most of a grading's time is its programs waiting on one another.
void compare_with_recorded(const std::vector<std::string>& extra, bool update) {
  const fs::path golden_dir = fs::path(SOURCE_DIR) / "tests" / "golden" / "reports";
  const auto submissions = sample_submissions();
  ASSERT_GE(submissions.size(), 18u);
  const auto grading = [&](const fs::path& assignment, const fs::path& submission) {
    std::vector<std::string> args = {"grade", assignment.string(), submission.string(), "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  std::vector<std::vector<std::string>> runs;
  for (const auto& [assignment, submission] : submissions) runs.push_back(grading(assignment, submission));
  const std::vector<CliResult> first = run_ipcgrade_each(runs);
  for (size_t i = 0; i < submissions.size(); ++i) {
    const auto& [assignment, submission] = submissions[i];
    const std::string name = assignment.filename().string() + "-" + submission.filename().string();
    SCOPED_TRACE(name);
    const fs::path golden = golden_dir / (name + ".json");
    // Where two processes race (a server's msgrcv and a client's msgsnd), the order of their evidence is
    // the schedule's: a report may differ from the recorded one now and then, never three times in a
    // row unless the grader changed. The second and third tries run alone.
    std::string report;
    for (int attempt = 0; attempt < 3; ++attempt) {
      const CliResult r = attempt == 0 ? first[i] : run_ipcgrade(runs[i]);
      ASSERT_TRUE(r.code == 0 || r.code == 1) << r.err;
      report = normalise(nlohmann::json::parse(r.out));
      if (update || (fs::exists(golden) && report == read_whole(golden))) break;
    }
    if (update) {
      fs::create_directories(golden_dir);
      std::ofstream(golden) << report;
      continue;
    }
    ASSERT_TRUE(fs::exists(golden)) << golden << " is not recorded";
    EXPECT_EQ(report, read_whole(golden)) << "the report of " << name << " changed";
  }
}

}  // namespace

// Graded as `grade` grades by default: on a root host with BTF, the BPF observer records the IPC calls.
TEST(SampleReports, EverySampleSubmissionsReportIsTheRecordedOne) {
  IPCGRADE_SKIP_WITHOUT_NAMESPACES();
  compare_with_recorded({}, std::getenv("IPCGRADE_UPDATE_GOLDEN") != nullptr);
}

// Every call stopping at ptrace: the same reports, so the two tracers give the same verdicts.
TEST(SampleReports, PtraceAloneGivesTheSameReports) {
  IPCGRADE_SKIP_WITHOUT_NAMESPACES();
  // Where the grader cannot load the observer (a container), the default is ptrace already.
  if (!observer_loadable())
    GTEST_SKIP() << "the default tracer here is ptrace: the test above grades with it";
  compare_with_recorded({"--tracer", "ptrace"}, false);
}
