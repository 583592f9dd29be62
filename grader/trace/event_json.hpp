#pragma once
#include <nlohmann/json.hpp>

#include "grader/trace/trace.hpp"

// Events as JSON, in two forms. The compact one carries the numbers as they are, for the pipe from a
// scenario's supervisor to the grader. The readable one is the trace file's: every value spelled the way
// a student writes it in C ("IPC_CREAT|0600", "0x00005000"), under "args". Reading takes either, so
// trace files written by every version of ipcgrade read back.
namespace ipcgrade::trace {

void to_json(nlohmann::json& j, const Event& e);    // compact
void from_json(const nlohmann::json& j, Event& e);  // compact or readable
nlohmann::json readable_json(const Event& e);

void to_json(nlohmann::json& j, const Refusal& r);
void from_json(const nlohmann::json& j, Refusal& r);

}  // namespace ipcgrade::trace
