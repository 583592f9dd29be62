// The pictures of a run, rendered in a real browser: `grade --html` and `--markdown` on sample
// variants, opened in Debian's Chromium (headless, through tests/browser/check_pages.mjs and
// puppeteer-core), and the Mermaid text rendered by the mermaid package in the same browser. What a
// reader sees is asserted after the page's scripts ran: one lifeline per process and per IPC object,
// the arrows and their labels, a wrong size marked, the deadlock drawn and explained, a queue left behind
// marked; no request leaves the page, nothing is written on the console, no URL is in the file.
// IPCGRADE_UPDATE_SCREENSHOTS=1 writes the screenshots docs/ shows.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <regex>
#include <set>

#include "grader/batch/class_page.hpp"
#include "grader/config/assignment.hpp"
#include "tests/host_clean.hpp"
#include "tests/run_cli.hpp"

using namespace ipcgrade;
using namespace ipcgrade::testing;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// Runs the page checker with `args`; its JSON on stdout.
json browse(const std::vector<std::string>& args) {
  std::string command = "node " + (fs::path(SOURCE_DIR) / "tests" / "browser" / "check_pages.mjs").string();
  for (const auto& a : args) command += " '" + a + "'";
  command += " 2>&1";
  std::string out;
  if (FILE* p = ::popen(command.c_str(), "r")) {
    char buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    ::pclose(p);
  }
  const auto brace = out.rfind("\n{");
  try {
    return json::parse(brace == std::string::npos ? out : out.substr(brace + 1));
  } catch (const std::exception&) {
    ADD_FAILURE() << "the page checker printed no JSON:\n" << out;
    return json::object();
  }
}

class Pictures : public HostCleanTest {
 protected:
  void SetUp() override {
    HostCleanTest::SetUp();
    ASSERT_TRUE(fs::exists("/usr/bin/chromium")) << "chromium is missing: scripts/install-deps.sh --test";
    // The browser tests' npm packages (pinned by package-lock.json) are installed here when missing, as
    // scripts/install-deps.sh --test would: a fresh clone's ctest needs no step of its own first.
    const fs::path browser = fs::path(SOURCE_DIR) / "tests" / "browser";
    if (!fs::exists(browser / "node_modules" / "puppeteer-core") ||
        !fs::exists(browser / "node_modules" / "mermaid")) {
      const std::string install =
          "cd '" + browser.string() +
          "' && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error";
      EXPECT_EQ(std::system(install.c_str()), 0) << install;
    }
    ASSERT_TRUE(fs::exists(browser / "node_modules" / "puppeteer-core"))
        << "tests/browser's packages are missing and npm could not install them: scripts/install-deps.sh "
           "--test";
  }

  // Grades a sample submission with --html and --markdown; the two files.
  std::pair<fs::path, fs::path> pages(const std::string& assignment, const std::string& submission) {
    const fs::path html = dir_.path() / (fs::path(submission).filename().string() + ".html");
    const fs::path md = dir_.path() / (fs::path(submission).filename().string() + ".md");
    const CliResult r =
        run_ipcgrade({"grade", sample(assignment).string(), sample(assignment + "/" + submission).string(),
                      "--html", html.string(), "--markdown", md.string()});
    EXPECT_TRUE(r.code == 0 || r.code == 1) << r.err;
    return {html, md};
  }

  // The page in the browser; its screenshot saved in docs/images when asked to.
  json open(const fs::path& html, const std::string& screenshot = "") {
    std::vector<std::string> args = {"html", html.string()};
    if (!screenshot.empty() && std::getenv("IPCGRADE_UPDATE_SCREENSHOTS"))
      args.push_back((fs::path(SOURCE_DIR) / "docs" / "images" / screenshot).string());
    const json page = browse(args);
    EXPECT_TRUE(page["errors"].empty()) << page["errors"];
    EXPECT_TRUE(page["requests"].empty()) << page["requests"];
    const std::string text = read_whole(html);
    EXPECT_FALSE(std::regex_search(text, std::regex(R"((https?|ftp)://|src=|href="//)")))
        << "a URL in " << html;
    return page;
  }

  static const json& scenario(const json& page, size_t i = 0) { return page["scenarios"][i]; }

  static std::set<std::string> head_titles(const json& s) {
    std::set<std::string> out;
    for (const auto& h : s["heads"]) out.insert(h["text"][0].get<std::string>());
    return out;
  }

  TempDir dir_;
};

}  // namespace

TEST_F(Pictures, WrongMessageSizesAreMarkedOnTheirArrows) {
  const auto [html, md] = pages("msgqueue-relay", "variants/whole-struct-msgsz");
  const json page = open(html, "report-whole-struct.png");
  EXPECT_EQ(page["score"], "85/100");
  const json& s = scenario(page);
  // One lifeline per process and one for the queue.
  size_t processes = 0, objects = 0;
  for (const auto& h : s["heads"]) (h["object"].get<bool>() ? objects : processes)++;
  EXPECT_EQ(processes, 4u) << s["heads"];  // the server and its three clients
  EXPECT_EQ(objects, 1u) << s["heads"];
  EXPECT_TRUE(head_titles(s).count("server")) << s["heads"];
  // The clients' requests: mtype 1, the whole struct's size, marked wrong.
  size_t wrong = 0;
  for (const auto& a : s["arrows"]) {
    const std::string label = a["label"], cls = a["cls"];
    if (cls.find("wrong") == std::string::npos) continue;
    ++wrong;
    EXPECT_TRUE(std::regex_search(label, std::regex(R"(^⚠ (mtype=\d+, \d+ B|msgrcv\(msgtyp=))"))) << label;
  }
  EXPECT_GE(wrong, 2u) << s["arrows"];
  EXPECT_TRUE(std::regex_search(page["clicked"].get<std::string>(), std::regex(R"(\(pid \d+\): \w+\()")))
      << page["clicked"];
  // The failed check comes first, open.
  EXPECT_TRUE(page["checks"][0]["failed"].get<bool>());
  EXPECT_TRUE(page["checks"][0]["open"].get<bool>());
}

TEST_F(Pictures, TheDeadlockIsDrawnWithItsExplanation) {
  const auto [html, md] = pages("pipe-shout", "variants/reader-keeps-write-end");
  const json page = open(html, "report-deadlock.png");
  const json& s = scenario(page);
  EXPECT_EQ(s["outcome"], "deadlock");
  EXPECT_NE(s["why"].get<std::string>().find("its write end is still open in"), std::string::npos)
      << s["why"];
  bool blocked_end = false, blocked_arrow = false;
  for (const auto& e : s["ends"]) {
    blocked_end = blocked_end || (e["cls"].get<std::string>().find("blocked") != std::string::npos &&
                                  e["text"] == "blocked in read");
  }
  for (const auto& a : s["arrows"])
    blocked_arrow = blocked_arrow || a["cls"].get<std::string>().find("blocked") != std::string::npos;
  EXPECT_TRUE(blocked_end) << s["ends"];
  EXPECT_TRUE(blocked_arrow) << s["arrows"];
  EXPECT_TRUE(head_titles(s).count("pipe 1")) << s["heads"];
}

TEST_F(Pictures, AQueueLeftBehindIsMarkedAtTheEndOfItsLifeline) {
  const auto [html, md] = pages("msgqueue-relay", "variants/queue-never-removed");
  const json page = open(html);
  bool left = false;
  for (const auto& e : scenario(page)["ends"]) {
    left = left || (e["cls"].get<std::string>().find("left-behind") != std::string::npos);
  }
  EXPECT_TRUE(left) << scenario(page)["ends"];
}

TEST_F(Pictures, EveryMermaidDiagramOfTheSampleVariantsRenders) {
  std::vector<std::string> args = {"mermaid"};
  std::map<std::string, std::string> texts;  // each Markdown file's text, by its path
  for (const auto& [assignment, submission] :
       std::vector<std::pair<std::string, std::string>>{{"msgqueue-relay", "variants/whole-struct-msgsz"},
                                                        {"pipe-shout", "variants/reader-keeps-write-end"},
                                                        {"sem-bounded-buffer", "variants/wrong-order"},
                                                        {"fifo-chat", "variants/both-read-first"},
                                                        {"posix-mq-relay", "variants/small-receive-buffer"},
                                                        {"shm-exchange", "variants/crash-after-attach"}}) {
    SCOPED_TRACE(submission);
    const auto [html, md] = pages(assignment, submission);  // named for the variant: one file each
    const std::string& text = texts[md.string()] = read_whole(md);
    EXPECT_NE(text.find("| ❌ |"), std::string::npos) << text;
    args.push_back(md.string());
  }
  // One browser renders them all.
  const json r = browse(args);
  ASSERT_EQ(r["files"].size(), texts.size()) << r.dump(2);
  for (const auto& f : r["files"]) {
    const std::string& text = texts[f["file"].get<std::string>()];
    SCOPED_TRACE(f["file"].get<std::string>());
    ASSERT_GE(f["blocks"].get<int>(), 1) << text;
    for (const auto& b : f["results"]) {
      EXPECT_TRUE(b["ok"].get<bool>()) << b["error"] << "\n" << text;
      if (b["ok"].get<bool>()) {
        EXPECT_TRUE(b["svg"].get<bool>());
        EXPECT_GE(b["actors"].get<int>(), 2);
      }
    }
  }
  EXPECT_TRUE(r["errors"].empty()) << r["errors"];
  EXPECT_TRUE(r["requests"].empty()) << r["requests"];
}

TEST_F(Pictures, CheckAppendsTheMarkdownToTheGithubStepSummary) {
  const fs::path summary = dir_.path() / "step-summary.md";
  ::setenv("GITHUB_STEP_SUMMARY", summary.c_str(), 1);
  const CliResult r = run_ipcgrade({"check", sample("pipe-shout").string(),
                                    sample("pipe-shout/variants/reader-keeps-write-end").string()});
  ::unsetenv("GITHUB_STEP_SUMMARY");
  EXPECT_EQ(r.code, 1) << r.err;
  const std::string text = read_whole(summary);
  EXPECT_NE(text.find("```mermaid\nsequenceDiagram\n"), std::string::npos) << text;
  EXPECT_NE(text.find("BLOCKED"), std::string::npos) << text;
}

// A class of 500 students: the index stays under 1 MB, with every student linked and the histogram
// counting them all.
TEST_F(Pictures, TheClassIndexOfFiveHundredStudentsIsSmallAndComplete) {
  config::Assignment a;
  a.id = "relay";
  for (int i = 0; i < 8; ++i) {
    config::CheckSpec c;
    // One name longer than the page gives names: cut, whole in its tooltip.
    c.name =
        i == 5 ? "every client of the server gets back its own word, in upper case, whatever the others send "
                 "and in whichever order they send it"
               : "check number " + std::to_string(i);
    a.checks.push_back(c);
  }
  std::vector<batch::Row> rows;
  for (int i = 0; i < 500; ++i) {
    batch::Row r;
    r.student = "student-" + std::to_string(i) + (i == 7 ? "<b>&\"'" : "");
    r.max_score = 100;
    r.score = i % 101;
    for (const auto& c : a.checks) r.checks.push_back({c.name, 0, i % 3 == 0 ? "failed" : "passed", ""});
    rows.push_back(r);
  }
  const std::string page = batch::class_index_html(a, rows);
  EXPECT_LT(page.size(), 1u << 20);
  const fs::path index = dir_.write("index.html", page);
  const json seen = open(index);
  ASSERT_EQ(seen["students"].size(), 500u);
  EXPECT_EQ(seen["students"][7], "student-7%3Cb%3E%26%22%27/report.html");
  int counted = 0;
  for (const auto& n : seen["histogram"]) counted += n.get<int>();
  EXPECT_EQ(counted, 500);
  ASSERT_EQ(seen["rates"].size(), 8u);
  EXPECT_EQ(seen["rates"][0]["failed"], 167);
  // The tallest bar's count and the longest name are inside their drawings, not cut by them.
  EXPECT_TRUE(seen["clipped"].empty()) << seen["clipped"];
}

// A batch of a class writes each student's page and the class's index, which links them.
TEST_F(Pictures, BatchWritesEachStudentsPageAndTheClassIndex) {
  const fs::path submissions = dir_.path() / "class";
  fs::create_directories(submissions);
  for (const auto& [student, from] : std::vector<std::pair<std::string, std::string>>{
           {"alice", "solution"}, {"bob", "variants/reader-keeps-write-end"}})
    fs::copy(sample("pipe-shout/" + from), submissions / student, fs::copy_options::recursive);
  const fs::path out = dir_.path() / "graded";
  const CliResult r = run_ipcgrade(
      {"batch", sample("pipe-shout").string(), submissions.string(), "--out", out.string(), "--jobs", "2"});
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_TRUE(fs::exists(out / "alice" / "report.html"));
  ASSERT_TRUE(fs::exists(out / "bob" / "report.html"));
  const json index = open(out / "index.html");
  EXPECT_EQ(index["students"], (json{"alice/report.html", "bob/report.html"}));
  int counted = 0;
  for (const auto& n : index["histogram"]) counted += n.get<int>();
  EXPECT_EQ(counted, 2);
  const json bob = open(out / "bob" / "report.html");
  EXPECT_EQ(bob["scenarios"][0]["outcome"], "deadlock");
}

// Eight clients and their server: at 1280 pixels every lane's head is on the screen, and no two texts of
// the chart cover each other (boxes measured in the browser), ends and labels included.
TEST_F(Pictures, EightProcessesFitA1280PixelWindowAndNoLabelsOverlap) {
  TempDir assignment;
  assignment.write("assignment.yaml",
                   "assignment: relay8\nbuild: {command: make, timeout: 60s}\nkeys: {count: 1}\n"
                   "limits: {wall: 5s}\nscenarios:\n  - name: eight clients\n    processes:\n"
                   "      - {name: server, run: './server {key} 8', ready: 'stdout ^ready$'}\n"
                   "      - {name: client, run: './client {key} word{index}', count: 8, ready: exit}\n"
                   "checks:\n  - {name: clean, type: no-leftovers, points: 1}\n");
  const fs::path html = dir_.path() / "eight.html";
  const CliResult r =
      run_ipcgrade({"grade", assignment.path().string(),
                    sample("msgqueue-relay/variants/queue-never-removed").string(), "--html", html.string()});
  ASSERT_EQ(r.code, 1) << r.err;
  ::setenv("VIEWPORT_WIDTH", "1280", 1);
  const json page = open(html, "report-eight-clients.png");
  ::unsetenv("VIEWPORT_WIDTH");
  ASSERT_EQ(page["viewport"], 1280);
  const json& s = scenario(page);
  EXPECT_EQ(s["heads"].size(), 10u);  // the server, eight clients, the queue
  // Inside the chart's box (which would scroll), not only the window.
  for (const auto& right : s["heads_right"])
    EXPECT_LE(right.get<double>(), s["chart_right"].get<double>())
        << s["heads_right"] << " " << s["chart_right"];
  EXPECT_TRUE(s["overlaps"].empty()) << s["overlaps"];
  EXPECT_FALSE(s["ends"].empty());
}
