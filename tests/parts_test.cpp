// A check over visible and hidden scenarios is judged in two parts, its points split by scenario: what a
// student sees before grades are published is the visible part, judged on what they can see, and the
// exports show both parts with points that add up to the check's.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "grader/report/exports.hpp"
#include "grader/score/parts.hpp"
#include "tests/check_fixtures.hpp"

using namespace ipcgrade;
using namespace ipcgrade::testing;

namespace {

// The relay scenario (visible) and the secret one (hidden), each with the server's output given.
std::vector<run::ScenarioResult> served(const std::string& relay_out, const std::string& secret_out) {
  auto relay = relay_run();
  relay.processes[0].stdout_text = relay_out;
  run::ScenarioResult secret;
  secret.name = "secret";
  secret.processes = {process("server", 0, 1000, 0, secret_out)};
  return {relay, secret};
}

std::vector<report::CheckResult> all(const config::Assignment& a,
                                     const std::vector<run::ScenarioResult>& runs) {
  build::BuildResult ok;
  ok.status = build::BuildStatus::Ok;
  return score::score_checks(a, runs, ok, {0x5000});
}

}  // namespace

TEST(Parts, ACheckFailingOnlyInTheHiddenScenarioLosesTheHiddenShare) {
  const auto a = assignment_with(
      "  - {name: the server reports, type: output, process: server, stdout: {equals: \"served 2\\n\"}, "
      "points: 10}\n");
  const auto results = all(a, served("served 2\n", "served 0\n"));
  ASSERT_EQ(results.size(), 1u);
  const auto& r = results[0];
  EXPECT_EQ(r.status, checks::Status::Failed);
  EXPECT_EQ(r.score, 5);
  EXPECT_EQ(r.max_score, 10);
  EXPECT_EQ(r.visibility, config::Visibility::Hidden);
  ASSERT_EQ(r.evidence.size(), 1u);
  EXPECT_EQ(r.evidence[0].scenario, "secret");
  ASSERT_EQ(r.parts.size(), 2u);
  EXPECT_EQ(r.parts[0].scenarios, std::vector<std::string>{"relay"});
  EXPECT_EQ(r.parts[0].status, checks::Status::Passed);
  EXPECT_EQ(r.parts[0].score, 5);
  EXPECT_EQ(r.parts[0].feedback, "Every process printed what was expected.");
  EXPECT_EQ(r.parts[1].scenarios, std::vector<std::string>{"secret"});
  EXPECT_EQ(r.parts[1].status, checks::Status::Failed);
  EXPECT_EQ(r.parts[1].score, 0);
  EXPECT_EQ(r.parts[1].max_score, 5);

  // Gradescope: the visible part is a test a student sees before the due date, the hidden part one they
  // see once grades are published; together they are the check.
  report::Report report;
  report.assignment = "relay";
  report.checks = results;
  score::total(report);
  const auto j = nlohmann::json::parse(report::gradescope_json(report));
  EXPECT_EQ(j["score"], 5);
  ASSERT_EQ(j["tests"].size(), 2u);
  EXPECT_EQ(j["tests"][0]["name"], "the server reports");
  EXPECT_EQ(j["tests"][0]["visibility"], "visible");
  EXPECT_EQ(j["tests"][0]["score"], 5);
  EXPECT_EQ(j["tests"][0]["max_score"], 5);
  EXPECT_EQ(j["tests"][0]["status"], "passed");
  EXPECT_EQ(j["tests"][1]["name"], "the server reports (hidden scenarios)");
  EXPECT_EQ(j["tests"][1]["visibility"], "after_published");
  EXPECT_EQ(j["tests"][1]["score"], 0);
  EXPECT_EQ(j["tests"][1]["max_score"], 5);
  EXPECT_EQ(j["tests"][1]["status"], "failed");
  EXPECT_NE(j["tests"][1]["output"].get<std::string>().find("- **secret** server \\#0"), std::string::npos)
      << j["tests"][1]["output"];
}

TEST(Parts, ACheckFailingEverywhereLosesBothAndOneOverTheVisibleScenariosIsOneTest) {
  const auto a = assignment_with(
      "  - {name: reports, type: output, process: server, stdout: {equals: \"served 2\\n\"}, points: 10}\n"
      "  - {name: reports here, type: output, process: server, scenarios: [relay], stdout: {equals: \"served "
      "2\\n\"}, points: 10}\n");
  const auto results = all(a, served("served 1\n", "served 0\n"));
  EXPECT_EQ(results[0].score, 0);
  ASSERT_EQ(results[0].parts.size(), 2u);
  EXPECT_EQ(results[0].evidence.size(), 2u);  // one per scenario: different outputs, different faults
  EXPECT_TRUE(results[1].parts.empty());
  EXPECT_EQ(results[1].visibility, config::Visibility::Visible);
  report::Report report;
  report.checks = results;
  const auto j = nlohmann::json::parse(report::gradescope_json(report));
  EXPECT_EQ(j["tests"].size(), 3u);
}

TEST(Parts, DeductionsPerViolationAreSplitLikeThePoints) {
  const auto a =
      assignment_with("  - {name: sizes, type: message-size, payload: 64, per_violation: 4, points: 20}\n");
  auto runs = served("", "");
  auto msgsnd = [](long pid) {
    auto e =
        call(pid, "client", "msgsnd", {{"msqid", "0"}, {"mtype", "1"}, {"msgsz", "72"}, {"msgflg", "0"}}, 0);
    e.at = "client.c:18";
    return e;
  };
  runs[0].trace.events = {msgsnd(1001)};
  runs[1].trace.events = {msgsnd(1005)};
  const auto r = all(a, runs).at(0);
  // One call site, wrong in both parts: 2 points off each half, 4 in all, as the check judged whole.
  EXPECT_EQ(r.score, 16);
  EXPECT_EQ(r.parts.at(0).score, 8);
  EXPECT_EQ(r.parts.at(1).score, 8);
  ASSERT_EQ(r.evidence.size(), 1u);
  EXPECT_EQ(r.evidence[0].detail, "msgsz 72 counts the long mtype; the payload is 64 bytes (× 2 scenarios)");
}

TEST(Parts, APartWithNothingToJudgeWhereTheOtherHasSomethingJudgesNothingWrong) {
  const auto a = assignment_with("  - {name: sizes, type: message-size, payload: 64, points: 10}\n");
  auto runs = served("", "");
  auto e =
      call(1005, "server", "msgsnd", {{"msqid", "0"}, {"mtype", "1"}, {"msgsz", "64"}, {"msgflg", "0"}}, 0);
  runs[1].trace.events = {e};  // messages only in the hidden scenario
  const auto r = all(a, runs).at(0);
  EXPECT_EQ(r.status, checks::Status::Passed);
  EXPECT_EQ(r.score, 10);
  EXPECT_EQ(
      r.parts.at(0).feedback,
      "Nothing to judge in the visible scenarios: no msgsnd, msgrcv, mq_send or mq_timedsend was made in any "
      "scenario (the assignment expects messages sent or received through a queue). It is judged in the "
      "others.");
}

TEST(Parts, ValidateAndTheKitSayWhatAStudentSeesBeforeTheDueDate) {
  const auto a = assignment_with(
      "  - {name: reports, type: output, process: server, stdout: {equals: \"x\"}, points: 9}\n");
  const score::Split split = score::split_checks(a);
  ASSERT_EQ(split.parts.at(0).size(), 2u);
  EXPECT_EQ(split.judged.checks.at(0).points, 4.5);
  EXPECT_EQ(split.judged.checks.at(0).scenarios, std::vector<std::string>{"relay"});
  EXPECT_EQ(split.judged.checks.at(1).points, 4.5);
  EXPECT_EQ(split.judged.checks.at(1).scenarios, std::vector<std::string>{"secret"});
}
