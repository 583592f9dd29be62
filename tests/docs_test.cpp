// The examples in the documentation are real: assignment examples load, and the report example is
// what grading the named sample produces.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "checks/make_checks.hpp"
#include "grader/config/assignment.hpp"
#include "grader/util/atomic_file.hpp"
#include "tests/host_clean.hpp"
#include "tests/run_cli.hpp"

using namespace ipcgrade;
using namespace ipcgrade::testing;
namespace fs = std::filesystem;

namespace {

// The ```yaml blocks of a Markdown file.
std::vector<std::string> yaml_blocks(const fs::path& markdown) {
  const std::string text = util::read_file(markdown);
  std::vector<std::string> blocks;
  const std::regex block("```yaml\n([\\s\\S]*?)```");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), block); it != std::sregex_iterator(); ++it) {
    blocks.push_back((*it)[1].str());
  }
  return blocks;
}

}  // namespace

TEST(Docs, AssignmentExamplesLoad) {
  const auto blocks = yaml_blocks(fs::path(SOURCE_DIR) / "docs/assignment-format.md");
  ASSERT_FALSE(blocks.empty());
  for (const auto& block : blocks) {
    TempDir dir;
    dir.write("assignment.yaml", block);
    // The instructor files an example names exist beside it, as they would in a real assignment.
    const YAML::Node doc = YAML::Load(block);
    if (doc["files"]) {
      for (const auto& item : doc["files"]) {
        const std::string f = (item.IsMap() ? item["path"] : item).as<std::string>();  // {path, private} too
        fs::create_directories((dir.path() / f).parent_path());
        dir.write(f, "data\n");
      }
    }
    EXPECT_NO_THROW(checks::load_assignment(dir.path())) << block;
  }
}

class DocsReport : public HostCleanTest {};

TEST_F(DocsReport, ReportExampleIsWhatGradingPrints) {
  IPCGRADE_SKIP_WITHOUT_NAMESPACES();
  const auto blocks = yaml_blocks(fs::path(SOURCE_DIR) / "docs/report.md");
  ASSERT_EQ(blocks.size(), 1u);
  const YAML::Node doc = YAML::Load(blocks[0]);
  TempDir out;
  const fs::path report = out.path() / "carol.yaml";
  const CliResult r = run_ipcgrade({"grade", sample("shm-exchange").string(),
                                    sample("shm-exchange/variants/no-rmid").string(), "--student", "carol",
                                    "--report", report.string()});
  ASSERT_EQ(r.code, 1) << r.err;
  const YAML::Node real = YAML::LoadFile(report.string());
  EXPECT_EQ(YAML::Dump(doc["submission"]), YAML::Dump(real["submission"]));
  for (const char* key : {"assignment", "title", "student", "score", "max_score", "mode"}) {
    EXPECT_EQ(doc[key].as<std::string>(), real[key].as<std::string>()) << key;
  }
  EXPECT_EQ(doc["keys"][0].as<std::string>(), real["keys"][0].as<std::string>());
  EXPECT_EQ(doc["build"]["log"].as<std::string>(), real["build"]["log"].as<std::string>());
  // Each check of the example, field by field.
  for (const auto& check : doc["checks"]) {
    std::string match;
    for (size_t i = 0; i < real["checks"].size(); ++i) {
      if (real["checks"][i]["name"].as<std::string>() == check["name"].as<std::string>()) {
        match = YAML::Dump(real["checks"][i]);
      }
    }
    ASSERT_FALSE(match.empty()) << check["name"].as<std::string>();
    EXPECT_EQ(YAML::Dump(check), match);
  }
  const YAML::Node scenario = doc["scenarios"][0], real_scenario = real["scenarios"][0];
  EXPECT_EQ(YAML::Dump(scenario["processes"]), YAML::Dump(real_scenario["processes"]));
  EXPECT_EQ(YAML::Dump(scenario["leftovers"]), YAML::Dump(real_scenario["leftovers"]));
  EXPECT_EQ(scenario["outcome"].as<std::string>(), real_scenario["outcome"].as<std::string>());
  // What enforced each limit, entry by entry; the run's uid differs from run to run. The example is
  // from a machine that offers everything (cgroups, a uid of the run's own, a fresh /proc); elsewhere (a
  // container) the lines that say what the machine offers differ, and must only be there.
  ASSERT_EQ(scenario["enforced"].size(), real_scenario["enforced"].size());
  const bool full_machine = std::regex_match(real_scenario["enforced"]["uid"].as<std::string>(),
                                             std::regex(R"(\d+ \(the run's own\))"));
  for (const auto& entry : scenario["enforced"]) {
    const std::string limit = entry.first.as<std::string>();
    const std::string got = real_scenario["enforced"][limit].as<std::string>();
    const std::set<std::string> machine = {"uid",  "memory",   "processes", "proc",
                                           "root", "landlock", "tracer"};
    if (limit == "uid" || (!full_machine && machine.count(limit))) {
      EXPECT_FALSE(got.empty()) << limit;
      if (full_machine) {
        EXPECT_TRUE(std::regex_match(got, std::regex(R"(\d+ \(the run's own\))"))) << got;
      }
    } else {
      EXPECT_EQ(entry.second.as<std::string>(), got) << limit;
    }
  }
}

// docs/cluster.md's recipes are YAML their tools read, and say what the page says they say: an Indexed
// Job retried per index and failed at once on exit 2, a merge Job, an Actions matrix with a merge job
// that runs when a shard failed. (Its Slurm scripts are run by tests/cluster/slurm.sh.)
TEST(Docs, ClusterRecipesAreValidYaml) {
  const auto blocks = yaml_blocks(fs::path(SOURCE_DIR) / "docs/cluster.md");
  ASSERT_EQ(blocks.size(), 2u);
  const std::vector<YAML::Node> jobs = YAML::LoadAll(blocks[0]);
  ASSERT_EQ(jobs.size(), 2u);
  const YAML::Node shards = jobs[0]["spec"];
  EXPECT_EQ(jobs[0]["kind"].as<std::string>(), "Job");
  EXPECT_EQ(shards["completionMode"].as<std::string>(), "Indexed");
  EXPECT_GT(shards["backoffLimitPerIndex"].as<int>(), 0);
  const YAML::Node rule = shards["podFailurePolicy"]["rules"][0];
  EXPECT_EQ(rule["action"].as<std::string>(), "FailIndex");
  EXPECT_EQ(rule["onExitCodes"]["operator"].as<std::string>(), "In");
  EXPECT_EQ(rule["onExitCodes"]["values"][0].as<int>(), 2);
  const std::string args = shards["template"]["spec"]["containers"][0]["args"][0].as<std::string>();
  EXPECT_NE(args.find("--shard $JOB_COMPLETION_INDEX/" + shards["completions"].as<std::string>()),
            std::string::npos)
      << args;
  EXPECT_NE(args.find("--resume"), std::string::npos);
  EXPECT_EQ(shards["template"]["spec"]["restartPolicy"].as<std::string>(), "Never");
  EXPECT_NE(jobs[1]["spec"]["template"]["spec"]["containers"][0]["command"][2].as<std::string>().find(
                "ipcgrade merge "),
            std::string::npos);

  const YAML::Node actions = YAML::Load(blocks[1]);
  const YAML::Node shard = actions["jobs"]["shard"], merge = actions["jobs"]["merge"];
  const size_t n = shard["strategy"]["matrix"]["shard"].size();
  EXPECT_EQ(n, 4u);
  EXPECT_FALSE(shard["strategy"]["fail-fast"].as<bool>());
  EXPECT_NE(shard["steps"][1]["run"].as<std::string>().find("/" + std::to_string(n) + " --resume"),
            std::string::npos);
  EXPECT_EQ(merge["needs"].as<std::string>(), "shard");
  EXPECT_EQ(merge["if"].as<std::string>(), "always()");
  EXPECT_NE(merge["steps"][1]["run"].as<std::string>().find("ipcgrade merge "), std::string::npos);
}
