#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <limits>

#include "checks/check.hpp"
#include "grader/util/text.hpp"

namespace ipcgrade::checks {

std::vector<const trace::Event*> judged_calls(const CheckInput& input, const ScenarioView& scenario,
                                              std::initializer_list<std::string_view> calls) {
  std::vector<const trace::Event*> out;
  for (const auto& e : scenario.result->trace.events) {
    if (judged_by(input, e) && std::find(calls.begin(), calls.end(), e.call) != calls.end())
      out.push_back(&e);
  }
  return out;
}

bool judged_by(const CheckInput& input, const trace::Event& e) {
  return e.kind == trace::EventKind::Call && selected_by(input, e);
}

bool selected_by(const CheckInput& input, const trace::Event& e) {
  return e.judged && (!input.spec->process || *input.spec->process == e.process);
}

std::optional<std::string> nothing_to_judge(const CheckType& type, const CheckInput& input) {
  if (type.needs.empty()) return std::nullopt;
  for (const auto& scenario : input.scenarios) {
    for (const auto& e : scenario.result->trace.events) {
      if (judged_by(input, e) && std::find(type.needs.begin(), type.needs.end(), e.call) != type.needs.end())
        return std::nullopt;
    }
  }
  const std::string calls =
      util::listing(std::vector<std::string>(type.needs.begin(), type.needs.end()), "or");
  return fmt::format("no {} was made{} in any scenario (the assignment expects {})", calls,
                     input.spec->process ? " by " + *input.spec->process : "", type.expects);
}

Evidence call_evidence(const ScenarioView& scenario, const trace::Event& call, std::string detail) {
  return Evidence{scenario.spec->name,      call.process, call.pid,
                  trace::format_call(call), call.at,      std::move(detail)};
}

void conclude(Verdict& v, const std::string& passed, const std::string& advice) {
  group_by_site(v.evidence);
  v.offences = static_cast<int>(v.evidence.size());
  if (v.evidence.empty()) {
    v.status = Status::Passed;
    v.feedback = v.charged_elsewhere > 0 ? std::string(kAllChargedElsewhere) + "." : passed;
    return;
  }
  v.status = Status::Failed;
  const Evidence& first = v.evidence.front();
  const std::string repeats = repeats_text(first);
  v.feedback = fmt::format("{}: {} — {}{}", util::process_label(first.process, first.pid), first.call,
                           first.detail, repeats.empty() ? "" : " (" + repeats + ")");
  v.advice = advice;
  if (!advice.empty()) v.feedback += ". " + advice;
  if (v.evidence.size() > 1)
    v.feedback += fmt::format(" ({} call sites in all; see the evidence)", v.evidence.size());
}

}  // namespace ipcgrade::checks

namespace ipcgrade::checks {

std::string sentence(const std::vector<std::string>& parts) {
  std::string text;
  for (const auto& part : parts) text += (text.empty() ? "" : ", ") + part;
  if (!text.empty()) text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
  return text + ".";
}

bool cleanup_cut_short(const ScenarioView& scenario, long maker) {
  const auto& stopped = scenario.result->stopped;
  return std::find(stopped.begin(), stopped.end(), maker) != stopped.end();
}

std::string cut_short_note(const ScenarioView& scenario, const std::string& what) {
  return fmt::format("{}: not judged: the run was stopped ({}) before it could clean up — see exit", what,
                     run::to_string(scenario.result->outcome));
}

bool judge_after_stop(const config::ParamReader& params) {
  return params.has("judge_after_stop") && params.boolean("judge_after_stop");
}

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
