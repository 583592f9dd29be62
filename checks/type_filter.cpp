// `type-filter`: every msgrcv of the selected processes asks for the expected message type.
#include <fmt/format.h>

#include "checks/check.hpp"

namespace ipcgrade::checks {

namespace {

// The parent of each process as the program sees it, from the spawn events.
std::map<long, long> parents(const trace::Trace& trace) {
  std::map<long, long> out;
  for (const auto& e : trace.events) {
    if (e.kind == "spawn") out[e.pid] = e.parent;
  }
  return out;
}

class TypeFilterCheck : public Check {
 public:
  std::string expected;  // "pid", "ppid", or a number ("0" for any)

  Verdict evaluate(const CheckInput& input) const override {
    Verdict v;
    for (const auto& scenario : input.scenarios) {
      const auto parent_of = parents(scenario.result->trace);
      for (const trace::Event* call : judged_calls(input, scenario, {"msgrcv"})) {
        long want = 0;
        std::string what;
        if (expected == "pid") {
          want = call->pid;
          what = fmt::format("type {} (its own pid)", want);
        } else if (expected == "ppid") {
          auto it = parent_of.find(call->pid);
          want = it != parent_of.end() ? it->second : 0;
          what = fmt::format("type {} (its parent's pid)", want);
        } else {
          want = std::stol(expected);
          what = want == 0 ? "any type (msgtyp 0)" : fmt::format("type {}", want);
        }
        const long got = static_cast<long>(call->number("msgtyp"));
        if (got == want) continue;
        std::string why = fmt::format("msgtyp {} — it must receive {}", got, what);
        if (got == 0)
          why += "; with 0 it takes whatever message is first, even one meant for another process";
        v.evidence.push_back(call_evidence(scenario, *call, why));
      }
    }
    v.offences = static_cast<int>(v.evidence.size());
    conclude(v, "Every msgrcv asked for the right message type.",
             "Pass the type to receive as msgrcv's fourth argument");
    return v;
  }
};

std::unique_ptr<Check> make(const config::ParamReader& params) {
  params.allow_only({"msgtyp", "per_violation"});
  if (!params.has("msgtyp"))
    params.fail_here("a type-filter check needs 'msgtyp' (an integer, pid, ppid or any)");
  auto check = std::make_unique<TypeFilterCheck>();
  const std::string text = params.string("msgtyp");
  check->expected = text == "any" ? "0" : text;
  if (text != "pid" && text != "ppid" && text != "any")
    check->expected = std::to_string(params.integer("msgtyp"));
  check->per_offence = per_violation(params);
  return check;
}

}  // namespace

const CheckType kTypeFilterCheck{"type-filter", &make};

}  // namespace ipcgrade::checks
