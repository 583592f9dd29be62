#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "grader/run/result.hpp"

namespace ipcgrade::run {

// The trace file written by --trace: {"scenarios": [{"name": ..., "events": [...]}, ...]}.
nlohmann::json trace_file(const std::vector<ScenarioResult>& scenarios);
// Reads the traces of a trace file back, by scenario name. Throws std::runtime_error on bad input.
std::vector<std::pair<std::string, trace::Trace>> read_trace_file(const std::string& text);

}  // namespace ipcgrade::run
