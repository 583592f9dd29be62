#include "grader/run/trace_file.hpp"

#include "grader/run/result_json.hpp"

namespace ipcgrade::run {

nlohmann::json trace_file(const std::vector<ScenarioResult>& scenarios) {
  nlohmann::json out = {{"scenarios", nlohmann::json::array()}};
  for (const auto& s : scenarios) {
    nlohmann::json events = nlohmann::json::array();
    for (const auto& e : s.trace.events) events.push_back(readable_json(e));
    out["scenarios"].push_back({{"name", s.name}, {"events", std::move(events)}});
  }
  return out;
}

namespace {
// A trace file holds whole numbers only: a fraction (or 6.7e60) where a pid or a count is read would be
// converted with undefined behaviour (found by the trace-file fuzz target). Iterative: a file can nest
// arrays as deep as it likes.
void whole_numbers_only(const nlohmann::json& root) {
  std::vector<const nlohmann::json*> pending{&root};
  while (!pending.empty()) {
    const nlohmann::json* j = pending.back();
    pending.pop_back();
    if (j->is_number_float())
      throw std::runtime_error("not a trace file: it holds a number that is not whole");
    if (j->is_structured()) {
      for (const auto& item : *j) pending.push_back(&item);
    }
  }
}
}  // namespace

std::vector<std::pair<std::string, trace::Trace>> read_trace_file(const std::string& text) {
  std::vector<std::pair<std::string, trace::Trace>> out;
  try {
    const auto j = nlohmann::json::parse(text);
    whole_numbers_only(j);
    for (const auto& s : j.at("scenarios")) {
      trace::Trace t;
      s.at("events").get_to(t.events);
      out.emplace_back(s.at("name").get<std::string>(), std::move(t));
    }
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("not a trace file: ") + e.what());
  }
  return out;
}

}  // namespace ipcgrade::run
