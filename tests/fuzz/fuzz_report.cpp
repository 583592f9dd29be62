// The report writers given hostile strings: every text a submission controls (check feedback quoting its
// output, evidence, file names, outputs, leftover names) taken from the input, rendered in every format.
// The outputs must stay well-formed: JSON parses, JUnit is XML, and nothing crashes.
#include <cstdint>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "grader/report/exports.hpp"
#include "grader/report/pages.hpp"
#include "grader/report/render.hpp"

using namespace ipcgrade;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  // Pieces of the input for each field, so that a finding is about one field at a time.
  auto piece = [&](size_t k) {
    return text.substr(std::min(text.size(), k * text.size() / 8), text.size() / 8 + 1);
  };
  report::Report r;
  r.assignment = "fuzz";
  r.student = piece(0);
  report::CheckResult c;
  c.name = piece(1);
  c.type = "output";
  c.max_score = 10;
  c.feedback = piece(2);
  c.evidence.push_back({piece(3), piece(4), 1000, piece(5), piece(6), piece(7)});
  r.checks.push_back(c);
  run::ScenarioResult s;
  s.name = piece(1);
  run::ProcessResult p;
  p.name = piece(4);
  p.started = true;
  p.pid = 1000;
  p.stdout_text = text;
  p.stderr_text = piece(2);
  s.processes.push_back(p);
  run::Leftover l;
  l.kind = trace::IpcKind::Fifo;
  l.name = piece(6);
  l.creator = piece(4);
  l.call = piece(5);
  s.leftovers.push_back(l);
  r.scenarios.push_back(s);
  r.max_score = 10;
  (void)report::to_yaml(r);
  (void)report::summary(r, true);
  (void)report::html_report(r);
  (void)report::markdown_report(r);
  if (nlohmann::json::parse(report::to_json(r).dump(), nullptr, false).is_discarded()) std::abort();
  if (nlohmann::json::parse(report::gradescope_json(r), nullptr, false).is_discarded()) std::abort();
  pugi::xml_document doc;
  if (!doc.load_string(report::junit_xml(r).c_str())) std::abort();
  return 0;
}
