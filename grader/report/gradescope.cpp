#include <fmt/format.h>
#include <algorithm>
#include <nlohmann/json.hpp>

#include "grader/report/exports.hpp"
#include "grader/report/render.hpp"
#include "grader/util/text.hpp"

namespace ipcgrade::report {

namespace {

// Text of the grader's or the submission's, shown by Gradescope as Markdown: every punctuation mark
// escaped (md_prose), line by line, so that nothing in it can become a link, an image or HTML.
std::string md_text(const std::string& text) {
  std::string out, line;
  for (const char c : text + "\n") {
    if (c != '\n') {
      line += c;
      continue;
    }
    out += (out.empty() ? "" : "\n") + md_prose(line);
    line.clear();
  }
  return out;
}

// A test's output in Markdown: the feedback, then the evidence as a list, each call and line in code.
std::string evidence_md(const CheckResult& c) {
  std::string out = md_text(c.feedback);
  if (!c.evidence.empty()) out += "\n";
  for (size_t i = 0; i < std::min(c.evidence.size(), kListed); ++i) {
    const auto& e = c.evidence[i];
    out += "\n- **" + md_cell(e.scenario) + "** ";
    // A detail that is a sentence about the process ("server #0 (pid 1000) printed ...") names it already.
    const bool named = e.call.empty() && e.detail.rfind(e.process + " ", 0) == 0;
    if (!e.process.empty() && !named) out += md_prose(util::process_label(e.process, e.pid)) + ": ";
    if (!e.call.empty()) out += md_code(e.call) + " ";
    if (!e.at.empty()) out += "at " + md_code(e.at) + " ";
    out += (e.call.empty() && e.at.empty() ? "" : "— ") + md_prose(e.detail);
  }
  const std::string cut = cut_line(c.evidence.size());
  if (!cut.empty()) out += "\n\n" + md_cell(cut.substr(cut.find_first_not_of('\n')));
  return util::valid_utf8(out);
}

}  // namespace

double total_seconds(const Report& r) {
  double total = r.build.seconds;
  for (const auto& s : r.scenarios) total += s.seconds;
  return total;
}

std::string gradescope_json(const Report& r) {
  nlohmann::ordered_json j;
  j["score"] = r.score;
  j["execution_time"] = total_seconds(r);
  std::string output =
      md_cell(fmt::format("{}: {} of {} points.", r.assignment, points(r.score), points(r.max_score)));
  if (!r.internal_fault.empty())
    output += "\n\n" + md_text("Not graded: the grader failed (" + r.internal_fault +
                               "). This is a fault of the grader, not of the submission.");
  else if (!r.build.usable())
    output += "\n\n" + md_text("The submission did not build, so every test fails with it:") + "\n\n" +
              md_fenced(util::valid_utf8(r.build.log));
  j["output"] = output;
  j["output_format"] = "md";  // Gradescope renders the output of the whole and of each test as Markdown
  j["tests"] = nlohmann::ordered_json::array();
  // A check over visible and hidden scenarios is two tests: its visible part, shown before grades are
  // published, and its hidden part, shown after; their points add up to the check's.
  auto test = [&](const CheckResult& c, const std::string& name) {
    nlohmann::ordered_json t;
    t["name"] = name;
    t["score"] = c.score;
    t["max_score"] = c.max_score;
    t["status"] = to_string(c.status);
    t["output"] = evidence_md(c);
    t["output_format"] = "md";
    t["visibility"] = c.visibility == config::Visibility::Hidden ? "after_published" : "visible";
    j["tests"].push_back(t);
  };
  for (const auto& c : r.checks) {
    if (c.parts.size() != 2) {
      test(c, c.name);
      continue;
    }
    test(c.parts[0], c.name);
    test(c.parts[1], c.name + " (hidden scenarios)");
  }
  valid_strings(j);
  return j.dump(2) + "\n";
}

}  // namespace ipcgrade::report
