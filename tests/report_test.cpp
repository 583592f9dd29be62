// The report formats: the YAML of the specification, read back by a YAML parser; the JSON twin.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <pugixml.hpp>

#include "grader/batch/gradebook.hpp"
#include "grader/report/exports.hpp"
#include "grader/report/pages.hpp"
#include "grader/report/render.hpp"
#include "grader/report/sequence.hpp"
#include "grader/util/text.hpp"

#include <sstream>

using namespace ipcgrade;

namespace {

template <size_t N>
std::string bytes(const char (&text)[N]) {
  return std::string(text, N - 1);  // keeps embedded NULs
}

report::Report sample_report() {
  report::Report r;
  r.assignment = "relay";
  r.title = "Relay";
  r.student = "alice";
  r.keys = {0x5000};
  r.mode = "namespaces";
  r.build.status = build::BuildStatus::Ok;
  r.build.seconds = 0.41;
  r.build.log = "cc -g -O0 -o server server.c\n";
  report::CheckResult c{"every client gets its own word back",
                        "output",
                        0,
                        20,
                        checks::Status::Failed,
                        config::Visibility::Visible,
                        "client #1 printed something else",
                        {},
                        {},
                        {}};
  c.evidence.push_back({"three clients", "client", 317, "", "client.c:18", "wrong word"});
  r.checks.push_back(c);
  r.checks.push_back({"queue removed",
                      "no-leftovers",
                      10,
                      10,
                      checks::Status::Passed,
                      config::Visibility::Hidden,
                      "ok",
                      {},
                      {},
                      {}});
  r.score = 10;
  r.max_score = 30;
  run::ScenarioResult s;
  s.name = "three clients";
  s.seconds = 0.08;
  run::ProcessResult p;
  p.name = "server";
  p.pid = 316;
  p.started = true;
  p.exit_code = 0;
  // Hostile output: a NUL, an escape, invalid UTF-8, YAML and XML syntax.
  p.stdout_text = bytes("ok\0\x1b[31m\xff: - ]]> #x\n");
  p.stdout_cut = 1234;
  s.processes.push_back(p);
  run::Leftover l;
  l.kind = trace::IpcKind::MsgQueue;
  l.key = 0x5000;
  l.id = 0;
  l.mode = 0600;
  l.creator = "server (pid 316)";
  l.at = "server.c:16";
  l.reclaimed = true;
  s.leftovers.push_back(l);
  r.scenarios.push_back(s);
  return r;
}

}  // namespace

TEST(YamlReport, HasTheFieldsOfTheSpecification) {
  const YAML::Node y = YAML::Load(report::to_yaml(sample_report()));
  EXPECT_EQ(y["assignment"].as<std::string>(), "relay");
  EXPECT_EQ(y["student"].as<std::string>(), "alice");
  EXPECT_EQ(y["score"].as<int>(), 10);
  EXPECT_EQ(y["max_score"].as<int>(), 30);
  EXPECT_EQ(y["mode"].as<std::string>(), "namespaces");
  EXPECT_EQ(y["build"]["status"].as<std::string>(), "ok");
  EXPECT_DOUBLE_EQ(y["build"]["seconds"].as<double>(), 0.41);
  EXPECT_EQ(y["build"]["log"].as<std::string>(), "cc -g -O0 -o server server.c\n");
  const YAML::Node c = y["checks"][0];
  EXPECT_EQ(c["name"].as<std::string>(), "every client gets its own word back");
  EXPECT_EQ(c["type"].as<std::string>(), "output");
  EXPECT_EQ(c["score"].as<int>(), 0);
  EXPECT_EQ(c["max_score"].as<int>(), 20);
  EXPECT_EQ(c["status"].as<std::string>(), "failed");
  EXPECT_EQ(c["visibility"].as<std::string>(), "visible");
  EXPECT_EQ(c["evidence"][0]["scenario"].as<std::string>(), "three clients");
  EXPECT_EQ(c["evidence"][0]["pid"].as<int>(), 317);
  EXPECT_EQ(c["evidence"][0]["at"].as<std::string>(), "client.c:18");
  EXPECT_EQ(y["checks"][1]["visibility"].as<std::string>(), "hidden");
  const YAML::Node s = y["scenarios"][0];
  EXPECT_EQ(s["outcome"].as<std::string>(), "completed");
  EXPECT_EQ(s["processes"][0]["pid"].as<int>(), 316);
  EXPECT_TRUE(s["processes"][0]["signal"].IsNull());
  const YAML::Node l = s["leftovers"][0];
  // Keys and modes stay strings: a YAML reader must not turn "0600" into 384. yaml-cpp hands back the text
  // either way, so the test asks for the quotes themselves (tag "!": a quoted scalar), which a YAML 1.1
  // reader such as PyYAML needs.
  EXPECT_EQ(l["key"].as<std::string>(), "0x00005000");
  EXPECT_EQ(l["key"].Tag(), "!");
  EXPECT_EQ(l["mode"].as<std::string>(), "0600");
  EXPECT_EQ(l["mode"].Tag(), "!");
  EXPECT_EQ(y["keys"][0].as<std::string>(), "0x00005000");
  EXPECT_EQ(y["keys"][0].Tag(), "!");
  EXPECT_EQ(l["creator"].as<std::string>(), "server (pid 316)");
  EXPECT_EQ(l["at"].as<std::string>(), "server.c:16");
  EXPECT_TRUE(l["reclaimed"].as<bool>());
}

TEST(YamlReport, HostileOutputSurvivesAndCutsAreMarked) {
  const YAML::Node y = YAML::Load(report::to_yaml(sample_report()));
  EXPECT_EQ(y["scenarios"][0]["processes"][0]["stdout"].as<std::string>(),
            bytes("ok\0\x1b[31m\xef\xbf\xbd: - ]]> #x\n\n[... 1234 bytes cut ...]\n"));
}

TEST(JsonReport, SameTreeAsTheYaml) {
  const auto j = report::to_json(sample_report());
  EXPECT_EQ(j["checks"][0]["evidence"][0]["at"], "client.c:18");
  EXPECT_EQ(j["scenarios"][0]["leftovers"][0]["mode"], "0600");
  const YAML::Node y = YAML::Load(report::to_yaml(sample_report()));
  EXPECT_EQ(y["scenarios"][0]["processes"][0]["stdout"].as<std::string>(),
            j["scenarios"][0]["processes"][0]["stdout"].get<std::string>());
}

TEST(Summary, OneLinePerCheckWithFeedbackForFailures) {
  const std::string text = report::summary(sample_report(), false);
  EXPECT_NE(text.find("FAIL  every client gets its own word back"), std::string::npos) << text;
  EXPECT_NE(text.find("client #1 printed something else"), std::string::npos);
  EXPECT_NE(text.find("- [three clients] client (pid 317): at client.c:18 — wrong word"), std::string::npos)
      << text;
  EXPECT_NE(text.find("PASS  queue removed"), std::string::npos);
  EXPECT_NE(text.find("Score: 10/30"), std::string::npos);
  EXPECT_EQ(text.find("\033["), std::string::npos);  // no colour when asked for none
  EXPECT_NE(report::summary(sample_report(), true).find("\033[31m"), std::string::npos);
}

TEST(GradescopeJson, HasTheFieldsGradescopeReads) {
  const auto j = nlohmann::json::parse(report::gradescope_json(sample_report()));
  EXPECT_EQ(j["score"], 10);
  EXPECT_TRUE(j["execution_time"].is_number());
  EXPECT_TRUE(j["output"].is_string());
  ASSERT_EQ(j["tests"].size(), 2u);
  EXPECT_EQ(j["tests"][0]["name"], "every client gets its own word back");
  EXPECT_EQ(j["tests"][0]["score"], 0);
  EXPECT_EQ(j["tests"][0]["max_score"], 20);
  EXPECT_EQ(j["tests"][0]["status"], "failed");
  EXPECT_EQ(j["tests"][0]["visibility"], "visible");
  EXPECT_EQ(j["tests"][0]["output"],
            "client \\#1 printed something else\n\n- **three clients** client (pid 317): at "
            "`client.c:18` — wrong word");
  EXPECT_EQ(j["tests"][0]["output_format"], "md");
  EXPECT_EQ(j["output_format"], "md");
  EXPECT_EQ(j["tests"][1]["status"], "passed");
  EXPECT_EQ(j["tests"][1]["visibility"], "after_published");  // it covers a hidden scenario
}

TEST(JunitXml, OneTestcasePerCheckAndHostileTextSurvives) {
  auto r = sample_report();
  r.checks[0].feedback = bytes("bad ]]> <tag> & \x01\x02 \xff end");
  const std::string xml = report::junit_xml(r);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(xml.c_str())) << xml;
  const auto suite = doc.child("testsuites").child("testsuite");
  EXPECT_STREQ(suite.attribute("tests").value(), "2");
  EXPECT_STREQ(suite.attribute("failures").value(), "1");
  size_t cases = 0;
  for (auto tc : suite.children("testcase")) {
    ++cases;
    EXPECT_STREQ(tc.attribute("classname").value(), "relay");
  }
  EXPECT_EQ(cases, 2u);
  const auto failure = suite.child("testcase").child("failure");
  ASSERT_TRUE(failure);
  // Control bytes and invalid UTF-8 become U+FFFD; markup is escaped, not interpreted.
  EXPECT_EQ(std::string(failure.attribute("message").value()),
            "bad ]]> <tag> & \xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd end");
  EXPECT_NE(std::string(failure.text().get()).find("[three clients] client: at client.c:18 wrong word"),
            std::string::npos);
  EXPECT_FALSE(suite.child("testcase").next_sibling("testcase").child("failure"));
}

// A failed check that kept part of its points (per_violation, shm-usage's shares) is a failure in every
// export: green in CI for a check that lost 5 of 15 points would be a lie.
TEST(Exports, APartlyScoredFailedCheckIsAFailure) {
  auto r = sample_report();
  r.checks[0].score = 10;  // failed, 10 of 20
  r.score = 20;
  const std::string xml = report::junit_xml(r);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(xml.c_str())) << xml;
  const auto suite = doc.child("testsuites").child("testsuite");
  EXPECT_STREQ(suite.attribute("failures").value(), "1");
  EXPECT_STREQ(suite.child("testcase").attribute("name").value(), "every client gets its own word back");
  EXPECT_TRUE(suite.child("testcase").child("failure")) << xml;
  const auto j = nlohmann::json::parse(report::gradescope_json(r));
  EXPECT_EQ(j["tests"][0]["status"], "failed");
  EXPECT_EQ(j["tests"][0]["score"], 10);
  EXPECT_EQ(j["tests"][0]["max_score"], 20);
  // And a passed check is not a failure, whatever it scored.
  EXPECT_EQ(j["tests"][1]["status"], "passed");
  EXPECT_FALSE(suite.child("testcase").next_sibling("testcase").child("failure"));
}

TEST(YamlReport, DelAndC1ControlsAreWrittenAsEscapesThatStrictParsersRead) {
  report::Report r = sample_report();
  r.scenarios[0].processes[0].stdout_cut = 0;
  r.scenarios[0].processes[0].stdout_text = bytes(
      "a\x7f"
      "b\xc2\x9b"
      "c\n");
  const std::string yaml = report::to_yaml(r);
  // PyYAML refuses a raw DEL and raw C1 characters anywhere in a document.
  EXPECT_EQ(yaml.find('\x7f'), std::string::npos);
  EXPECT_EQ(yaml.find("\xc2\x9b"), std::string::npos);
  EXPECT_EQ(YAML::Load(yaml)["scenarios"][0]["processes"][0]["stdout"].as<std::string>(), bytes("a\x7f"
                                                                                                "b\xc2\x9b"
                                                                                                "c\n"));
}

TEST(Gradebook, StudentNamesThatLookLikeFormulasStayText) {
  config::Assignment a;
  a.checks.push_back({"queue removed", "no-leftovers", 10, {}, {}, std::nullopt});
  std::vector<batch::Row> rows;
  for (const std::string name :
       {"=2+5", "@SUM(1+1)", "a,b", "q\"uote", "-1", "+1", "\tx", "x\n=1+1", "y\r=2"})
    rows.push_back({name, 10, 10, "", {{"queue removed", 10, "passed", ""}}});
  EXPECT_EQ(batch::gradebook_csv(a, rows),
            "student,score,max_score,queue removed,varied\n"
            "'=2+5,10,10,10,\n"
            "'@SUM(1+1),10,10,10,\n"
            "\"a,b\",10,10,10,\n"
            "\"q\"\"uote\",10,10,10,\n"
            "'-1,10,10,10,\n"
            "'+1,10,10,10,\n"
            "'\tx,10,10,10,\n"
            // A line break inside a name stays inside its quoted cell: no row, and no formula, of its own.
            "\"x\n=1+1\",10,10,10,\n"
            "\"y\r=2\",10,10,10,\n");
}

// Names from a submission (a `#line` file name, a FIFO or POSIX name) can hold line breaks: in the
// terminal summary they stay on their line, so that no name prints "  PASS ..." or "Score: 100/100" of
// its own.
TEST(Summary, ASubmissionsNameCannotPrintALineOfItsOwn) {
  auto r = sample_report();
  r.checks[0].evidence[0].at = "client.c\n  PASS  prints ok  40/40\nScore: 100/100\n:18";
  r.checks[0].evidence[0].detail = std::string("fifo /tmp/a\xe2\x80\xa8Score: 100/100");
  const std::string text = report::summary(r, false);
  EXPECT_NE(
      text.find("at client.c\\n  PASS  prints ok  40/40\\nScore: 100/100\\n:18 — fifo /tmp/a\\u2028Score: "
                "100/100"),
      std::string::npos)
      << text;
  std::istringstream lines(text);
  size_t scores = 0;
  for (std::string line; std::getline(lines, line);) {
    EXPECT_NE(line.rfind("  PASS  prints ok", 0), 0u) << text;
    scores += line.rfind("Score: ", 0) == 0 ? 1 : 0;
  }
  EXPECT_EQ(scores, 1u) << text;
  EXPECT_EQ(util::one_line("a\nb\xe2\x80\xa9"
                           "c\xc2\x85"),
            "a\\nb\\u2029c\\u0085");
}

// report.md and the class's summary.md show the submission's text as text: a Markdown badge or image,
// raw HTML and a table pipe in program output are escaped, and a call's code span cannot be closed.
TEST(Markdown, TheSubmissionsTextIsNeverReadAsMarkdown) {
  auto r = sample_report();
  r.checks[0].feedback =
      "printed ![100/100](https://img.shields.io/badge/score-100%2F100-green) <script>x</script>";
  r.checks[0].evidence[0].call = "write(1, \"`` <img src=x onerror=alert(1)>\", 5)";
  const std::string md = report::markdown_report(r);
  EXPECT_EQ(md.find("!["), std::string::npos) << md;
  EXPECT_EQ(md.find("<script>"), std::string::npos) << md;
  // Prose keeps the marks that start nothing ("/", "(") and escapes the others: no image, no autolink.
  EXPECT_NE(md.find("printed \\!\\[100/100\\](https\\://img\\.shields\\.io"), std::string::npos) << md;
  EXPECT_NE(md.find(": ```write(1, \\\"`` <img src=x onerror=alert(1)>\\\", 5)``` at `client.c:18`"),
            std::string::npos)
      << md;
  EXPECT_EQ(report::md_code("a`b"), "``a`b``");
  EXPECT_EQ(report::md_cell("a|b"), "a\\|b");
}

// A check whose runs disagreed (its result depended on the schedule) is named in the gradebook's last
// column and counted in summary.md: the same code's different scores are not silent.
TEST(Gradebook, ChecksWhoseRunsDisagreedAreMarkedVaried) {
  config::Assignment a;
  a.id = "race";
  a.checks.push_back({"greets in order", "output", 35, {}, {}, std::nullopt});
  a.checks.push_back({"exits", "exit", 15, {}, {}, std::nullopt});
  std::vector<batch::Row> rows = {
      {"alice",
       50,
       50,
       "",
       {{"greets in order", 35, "passed", "", false}, {"exits", 15, "passed", "", false}}},
      {"bob",
       15,
       50,
       "",
       {{"greets in order", 0, "failed", "Passed 3 of 5 runs", true}, {"exits", 15, "passed", "", false}}}};
  const std::string csv = batch::gradebook_csv(a, rows);
  EXPECT_EQ(csv,
            "student,score,max_score,greets in order,exits,varied\n"
            "alice,50,50,35,15,\n"
            "bob,15,50,0,15,greets in order\n");
  const std::string md = batch::summary_md(a, rows);
  EXPECT_NE(md.find("| check | failed | varied | most common feedback |"), std::string::npos) << md;
  EXPECT_NE(md.find("| greets in order | 1 of 2 (50 %) | 1 | 50 % of the class: Passed 3 of 5 runs |"),
            std::string::npos)
      << md;
}

// The chart follows attachments through fork: a child's shmdt of an address it inherited is drawn as
// the detach it is, from the child to the segment.
TEST(Sequence, AChildsDetachOfAnInheritedAttachmentIsDrawn) {
  run::ScenarioResult s;
  s.name = "fork";
  auto call = [](long pid, const std::string& name, trace::Named<long long> values,
                 std::optional<long> result) {
    trace::Event e;
    e.kind = trace::EventKind::Call;
    e.pid = pid;
    e.process = "writer";
    e.call = name;
    e.values = std::move(values);
    e.result = result;
    return e;
  };
  trace::Event fork;
  fork.kind = trace::EventKind::Spawn;
  fork.pid = 1001;
  fork.parent = 1000;
  fork.process = "writer";
  s.trace.events = {call(1000, "shmget", {{"key", 0x5000}, {"size", 4096}, {"flags", 01600}}, 3),
                    call(1000, "shmat", {{"shmid", 3}, {"address", 0x7f0000}}, 0x7f0000), fork,
                    call(1001, "shmdt", {{"shmaddr", 0x7f0000}}, 0),
                    call(1000, "shmdt", {{"shmaddr", 0x7f0000}}, 0)};
  s.processes = {};
  const report::Sequence seq = report::sequence_of(s, {});
  std::vector<std::string> detaches;
  for (const auto& a : seq.arrows) {
    if (a.label == "detach") detaches.push_back(a.from);
  }
  ASSERT_EQ(detaches.size(), 2u);
  EXPECT_NE(detaches[0], detaches[1]);  // the child's and the parent's
  // Each holds the segment as a bar on its lifeline: the parent from its attach (arrow 1) to its detach
  // (arrow 4), the child from the fork (arrow 2) to its own detach (arrow 3).
  ASSERT_EQ(seq.spans.size(), 2u);
  EXPECT_EQ(seq.spans[0].object, "shm:3");
  EXPECT_EQ(seq.spans[0].from, 1u);
  EXPECT_EQ(seq.spans[0].to, 5u);
  EXPECT_EQ(seq.spans[1].from, 2u);
  EXPECT_EQ(seq.spans[1].to, 4u);
  EXPECT_EQ(seq.spans[1].line, detaches[0]);
}

// Gradescope renders its output as Markdown: a program's output in the evidence cannot become a link, an
// autolink, an image, an entity or HTML there, whichever marks prose leaves unescaped.
TEST(GradescopeJson, TheSubmissionsTextIsNeverReadAsMarkdown) {
  auto r = sample_report();
  r.checks[0].evidence[0].detail =
      "printed www.evil.example [win](https://evil.example/x) <img src=x onerror=alert(1)> &amp; (|=%?/)";
  const auto j = nlohmann::json::parse(report::gradescope_json(r));
  const std::string out = j["tests"][0]["output"];
  EXPECT_EQ(out.find("www."), std::string::npos) << out;
  EXPECT_EQ(out.find("https:"), std::string::npos) << out;
  EXPECT_EQ(out.find("[win]"), std::string::npos) << out;
  EXPECT_EQ(out.find(" <img"), std::string::npos) << out;  // only as "\\<img", text
  EXPECT_EQ(out.find(" &amp;"), std::string::npos) << out;
  EXPECT_NE(out.find("printed www\\.evil\\.example \\[win\\](https\\://evil\\.example/x) \\<img src=x"),
            std::string::npos)
      << out;
}
