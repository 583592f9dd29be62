#pragma once
#include <nlohmann/json.hpp>

#include "grader/run/result.hpp"
#include "grader/trace/event_json.hpp"

// JSON forms of the run model: how a scenario's supervisor hands its result to the grader, and the
// basis of the report's JSON.
namespace ipcgrade::run {
void to_json(nlohmann::json& j, const ProcessResult& p);
void from_json(const nlohmann::json& j, ProcessResult& p);
void to_json(nlohmann::json& j, const Leftover& l);
void from_json(const nlohmann::json& j, Leftover& l);
void to_json(nlohmann::json& j, const Survivor& s);
void from_json(const nlohmann::json& j, Survivor& s);
void to_json(nlohmann::json& j, const ScenarioResult& s);
void from_json(const nlohmann::json& j, ScenarioResult& s);
}  // namespace ipcgrade::run
