#include <fmt/format.h>
#include <algorithm>
#include <nlohmann/json.hpp>

#include "grader/report/exports.hpp"
#include "grader/report/render.hpp"
#include "grader/util/text.hpp"

namespace ipcgrade::report {

namespace {
std::string evidence_text(const CheckResult& c) {
  std::string out = c.feedback;
  for (size_t i = 0; i < std::min(c.evidence.size(), kListed); ++i) {
    const auto& e = c.evidence[i];
    out += fmt::format("\n- [{}] ", e.scenario);
    if (!e.process.empty()) out += util::process_label(e.process, e.pid) + ": ";
    if (!e.call.empty()) out += e.call + " ";
    if (!e.at.empty()) out += "at " + e.at + " ";
    out += e.detail;
  }
  out += cut_line(c.evidence.size());
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
  std::string output = fmt::format("{}: {} of {} points.", r.assignment, r.score, r.max_score);
  if (!r.internal_fault.empty())
    output += "\nNot graded: the grader failed (" + r.internal_fault +
              "). This is a fault of the grader, not of the submission.";
  else if (!r.build.usable())
    output += "\nThe submission did not build:\n" + util::valid_utf8(r.build.log);
  j["output"] = output;
  j["tests"] = nlohmann::ordered_json::array();
  // A check over visible and hidden scenarios is two tests: its visible part, shown before grades are
  // published, and its hidden part, shown after; their points add up to the check's.
  auto test = [&](const CheckResult& c, const std::string& name) {
    nlohmann::ordered_json t;
    t["name"] = name;
    t["score"] = c.score;
    t["max_score"] = c.max_score;
    t["status"] = to_string(c.status);
    t["output"] = evidence_text(c);
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
