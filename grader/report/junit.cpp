#include <fmt/format.h>
#include <algorithm>

#include <pugixml.hpp>
#include <sstream>

#include "grader/report/exports.hpp"
#include "grader/report/render.hpp"
#include "grader/util/text.hpp"

namespace ipcgrade::report {

std::string junit_xml(const Report& r) {
  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  size_t failures = 0;
  for (const auto& c : r.checks) failures += c.status == checks::Status::Failed ? 1 : 0;
  auto suites = doc.append_child("testsuites");
  auto suite = suites.append_child("testsuite");
  suite.append_attribute("name") = util::xml_text(r.assignment + " (" + r.student + ")").c_str();
  suite.append_attribute("tests") =
      static_cast<unsigned long long>(r.checks.size() + (r.internal_fault.empty() ? 0 : 1));
  suite.append_attribute("failures") = static_cast<unsigned long long>(failures);
  suite.append_attribute("errors") = r.internal_fault.empty() ? 0 : 1;
  if (!r.internal_fault.empty()) {
    // The grading itself failed: a CI job shows an error, not a student's failures.
    auto tc = suite.append_child("testcase");
    tc.append_attribute("classname") = util::xml_text(r.assignment).c_str();
    tc.append_attribute("name") = "grading";
    tc.append_attribute("time") = "0";
    auto error = tc.append_child("error");
    error.append_attribute("message") = util::xml_text("the grader failed: " + r.internal_fault).c_str();
    error.append_attribute("type") = "internal_fault";
  }
  suite.append_attribute("time") = fmt::format("{:.3f}", total_seconds(r)).c_str();
  for (const auto& c : r.checks) {
    auto tc = suite.append_child("testcase");
    tc.append_attribute("classname") = util::xml_text(r.assignment).c_str();
    tc.append_attribute("name") = util::xml_text(c.name).c_str();
    tc.append_attribute("time") = "0";
    if (c.status != checks::Status::Failed) continue;
    auto failure = tc.append_child("failure");
    failure.append_attribute("message") = util::xml_text(c.feedback).c_str();
    failure.append_attribute("type") = util::xml_text(c.type).c_str();
    std::string body = fmt::format("{} of {} points\n{}", c.score, c.max_score, c.feedback);
    for (size_t i = 0; i < std::min(c.evidence.size(), kListed); ++i) {
      const auto& e = c.evidence[i];
      body +=
          fmt::format("\n[{}] {}{}{}{}", e.scenario, e.process.empty() ? "" : e.process + ": ",
                      e.call.empty() ? "" : e.call + " ", e.at.empty() ? "" : "at " + e.at + " ", e.detail);
    }
    body += cut_line(c.evidence.size());
    // A text node, escaped by the writer: "]]>" and "<" in program output cannot break the file.
    failure.append_child(pugi::node_pcdata).set_value(util::xml_text(body).c_str());
  }
  std::ostringstream out;
  doc.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
  return out.str();
}

}  // namespace ipcgrade::report
