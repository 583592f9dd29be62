// `type-filter`: every msgrcv of the selected processes asks for the expected message type.
#include <fmt/format.h>

#include <string>
#include <vector>

#include "checks/check.hpp"
#include "grader/util/text.hpp"

namespace ipcgrade::checks {

namespace {

// The parent of each process as the program sees it, from the spawn events.
std::map<long, long> parents(const trace::Trace& trace) {
  std::map<long, long> out;
  for (const auto& e : trace.events) {
    if (e.kind == trace::EventKind::Spawn) out[e.pid] = e.parent;
  }
  return out;
}

class TypeFilterCheck : public Check {
 public:
  // Each "pid", "ppid", or a number ("0" for any): a msgrcv must ask for one of them. A server that
  // takes requests of type 1 and 2 lists both.
  std::vector<std::string> expected;

  Verdict evaluate(const CheckInput& input) const override {
    Verdict v;
    for (const auto& scenario : input.scenarios) {
      const auto parent_of = parents(scenario.result->trace);
      for (const trace::Event* call : judged_calls(input, scenario, {"msgrcv"})) {
        const long got = static_cast<long>(call->value("msgtyp"));
        std::vector<std::string> whats;
        bool matched = false;
        for (const auto& one : expected) {
          long want = 0;
          if (one == "pid") {
            want = call->pid;
            whats.push_back(fmt::format("type {} (its own pid)", want));
          } else if (one == "ppid") {
            auto it = parent_of.find(call->pid);
            want = it != parent_of.end() ? it->second : 0;
            whats.push_back(fmt::format("type {} (its parent's pid)", want));
          } else {
            want = std::stol(one);
            whats.push_back(want == 0 ? "any type (msgtyp 0)" : fmt::format("type {}", want));
          }
          matched = matched || got == want;
        }
        if (matched) continue;
        std::string why = fmt::format("msgtyp {} — it must receive {}", got, util::listing(whats, "or"));
        if (got == 0)
          why += "; with 0 it takes whatever message is first, even one meant for another process";
        v.evidence.push_back(call_evidence(scenario, *call, why));
      }
    }
    conclude(v, "Every msgrcv asked for the right message type.",
             "Pass the type to receive as msgrcv's fourth argument");
    return v;
  }
};

// One msgtyp: an integer, pid, ppid or any.
std::string one_type(const config::ParamReader& params, const std::string& text) {
  if (text == "any") return "0";
  if (text == "pid" || text == "ppid") return text;
  try {
    size_t used = 0;
    const long n = std::stol(text, &used, 0);
    if (used == text.size()) return std::to_string(n);
  } catch (const std::exception&) {
  }
  params.fail(
      "msgtyp",
      fmt::format("'msgtyp' must be an integer, pid, ppid or any (or a list of them), not '{}'", text));
}

std::unique_ptr<Check> make(const config::ParamReader& params) {
  params.allow_only({"msgtyp", "per_violation"});
  if (!params.has("msgtyp"))
    params.fail_here("a type-filter check needs 'msgtyp' (an integer, pid, ppid or any, or a list of them)");
  auto check = std::make_unique<TypeFilterCheck>();
  for (const auto& text : params.string_list("msgtyp")) check->expected.push_back(one_type(params, text));
  if (check->expected.empty()) params.fail("msgtyp", "'msgtyp' lists no type");
  check->per_offence = per_violation(params);
  return check;
}

}  // namespace

const CheckType kTypeFilterCheck{"type-filter", &make, {"msgrcv"}, {"msgrcv"}, "messages received by type"};

}  // namespace ipcgrade::checks
