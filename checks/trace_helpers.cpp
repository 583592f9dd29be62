#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <limits>

#include "checks/check.hpp"

namespace ipcgrade::checks {

namespace {
// The order arguments are printed in, per call: the order of the C prototype.
const std::map<std::string, std::vector<std::string>>& argument_order() {
  static const std::map<std::string, std::vector<std::string>> order = {
      {"msgget", {"key", "flags"}},
      {"msgsnd", {"msqid", "mtype", "msgsz", "msgflg"}},
      {"msgrcv", {"msqid", "msgsz", "msgtyp", "msgflg"}},
      {"msgctl", {"msqid", "cmd"}},
      {"shmget", {"key", "size", "flags"}},
      {"shmat", {"shmid", "shmaddr", "shmflg"}},
      {"shmdt", {"shmaddr"}},
      {"shmctl", {"shmid", "cmd"}},
      {"semget", {"key", "nsems", "flags"}},
      {"semop", {"semid", "nsops"}},
      {"semtimedop", {"semid", "nsops"}},
      {"semctl", {"semid", "semnum", "cmd"}},
      {"read", {"fd", "count"}},
      {"write", {"fd", "count"}},
      {"close", {"fd"}},
      {"dup", {"oldfd"}},
      {"dup2", {"oldfd", "newfd"}},
      {"dup3", {"oldfd", "newfd"}},
  };
  return order;
}
}  // namespace

std::vector<const trace::Event*> judged_calls(const CheckInput& input, const ScenarioView& scenario,
                                              std::initializer_list<std::string_view> calls) {
  std::vector<const trace::Event*> out;
  for (const auto& e : scenario.result->trace.events) {
    if (e.kind != "call" || !e.judged) continue;
    if (input.spec->process && *input.spec->process != e.process) continue;
    if (std::find(calls.begin(), calls.end(), e.call) != calls.end()) out.push_back(&e);
  }
  return out;
}

std::string format_call(const trace::Event& call) {
  std::string args;
  auto order = argument_order().find(call.call);
  if (order != argument_order().end()) {
    for (const auto& name : order->second) {
      auto it = call.args.find(name);
      if (it == call.args.end()) continue;
      args += (args.empty() ? "" : ", ") + (name == "mtype" ? "{mtype=" + it->second + ", ...}" : it->second);
    }
  }
  std::string out = fmt::format("{}({})", call.call, args);
  if (call.error) {
    out += fmt::format(" = -1 {}", strerrorname_np(call.error) ? strerrorname_np(call.error) : "error");
  } else if (call.has("address")) {
    out += " = " + call.args.at("address");
  } else if (call.result) {
    out += fmt::format(" = {}", *call.result);
  }
  return out;
}

Evidence call_evidence(const ScenarioView& scenario, const trace::Event& call, std::string detail) {
  return Evidence{scenario.spec->name, call.process, call.pid, format_call(call), call.at, std::move(detail)};
}

void conclude(Verdict& v, const std::string& passed, const std::string& advice) {
  if (v.evidence.empty()) {
    v.status = Status::Passed;
    v.feedback = passed;
    return;
  }
  v.status = Status::Failed;
  const Evidence& first = v.evidence.front();
  v.feedback = fmt::format("{} (pid {}): {} — {}", first.process, first.pid, first.call, first.detail);
  if (!advice.empty()) v.feedback += ". " + advice;
  if (v.evidence.size() > 1)
    v.feedback += fmt::format(" ({} such calls in all; see the evidence)", v.evidence.size());
}

}  // namespace ipcgrade::checks

namespace ipcgrade::checks {

std::optional<double> per_violation(const config::ParamReader& params) {
  if (!params.has("per_violation")) return std::nullopt;
  const double points = params.number("per_violation");
  if (points < 0) params.fail("per_violation", "'per_violation' must be >= 0");
  return points;
}

std::string SizeRange::describe() const {
  return min == max ? fmt::format("{} bytes", min) : fmt::format("{} to {} bytes", min, max);
}

SizeRange size_range(const config::ParamReader& params, std::string_view key) {
  if (!params.is_map(key)) {
    const auto n = params.integer(key);
    if (n < 0) params.fail(key, fmt::format("'{}' must be >= 0", key));
    return {n, n};
  }
  const config::ParamReader range = params.map(key);
  range.allow_only({"min", "max"});
  if (!range.has("min") && !range.has("max")) range.fail_here(fmt::format("'{}' needs 'min' or 'max'", key));
  SizeRange r;
  r.min = range.has("min") ? range.integer("min") : 0;
  r.max = range.has("max") ? range.integer("max") : std::numeric_limits<std::int64_t>::max();
  if (r.min < 0 || r.max < r.min) range.fail_here(fmt::format("'{}': need 0 <= min <= max", key));
  return r;
}

}  // namespace ipcgrade::checks
