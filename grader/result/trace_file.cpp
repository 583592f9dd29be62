#include "grader/result/trace_file.hpp"

#include "grader/result/result_json.hpp"

namespace ipcgrade::trace {

nlohmann::json trace_file(const std::vector<run::ScenarioResult>& scenarios) {
  nlohmann::json out = {{"scenarios", nlohmann::json::array()}};
  for (const auto& s : scenarios) {
    nlohmann::json events = nlohmann::json::array();
    for (const auto& e : s.trace.events) events.push_back(readable_json(e));
    out["scenarios"].push_back({{"name", s.name}, {"events", std::move(events)}});
  }
  return out;
}

std::vector<std::pair<std::string, Trace>> read_trace_file(const std::string& text) {
  std::vector<std::pair<std::string, Trace>> out;
  try {
    const auto j = nlohmann::json::parse(text);
    for (const auto& s : j.at("scenarios")) {
      Trace t;
      s.at("events").get_to(t.events);
      out.emplace_back(s.at("name").get<std::string>(), std::move(t));
    }
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("not a trace file: ") + e.what());
  }
  return out;
}

}  // namespace ipcgrade::trace
