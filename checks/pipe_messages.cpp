// `pipe-messages`: every write to a pipe ends with the assignment's terminator (e.g. "\n\0").
#include <fmt/format.h>

#include "checks/check.hpp"
#include "grader/util/text.hpp"

namespace ipcgrade::checks {

namespace {

class PipeMessagesCheck : public Check {
 public:
  std::string terminator;  // escaped as the trace spells bytes

  Verdict evaluate(const CheckInput& input) const override {
    Verdict v;
    for (const auto& scenario : input.scenarios) {
      for (const trace::Event* call : judged_calls(input, scenario, {"write"})) {
        const auto it = call->texts.find("tail");
        const std::string& tail = it != call->texts.end() ? it->second : std::string();
        if (tail.size() >= terminator.size() &&
            tail.compare(tail.size() - terminator.size(), terminator.size(), terminator) == 0) {
          continue;
        }
        v.evidence.push_back(call_evidence(
            scenario, *call,
            fmt::format("the message ends with \"{}\", not with the terminator \"{}\"", tail, terminator)));
      }
    }
    conclude(v, fmt::format("Every message written to a pipe ended with \"{}\".", terminator),
             fmt::format("End every message with \"{}\" and count it in write's length", terminator));
    return v;
  }
};

std::unique_ptr<Check> make(const config::ParamReader& params) {
  params.allow_only({"terminator", "per_violation"});
  if (!params.has("terminator"))
    params.fail_here("a pipe-messages check needs 'terminator' (e.g. \"\\n\\0\")");
  auto check = std::make_unique<PipeMessagesCheck>();
  check->terminator = util::escape_bytes(params.string("terminator"));
  if (check->terminator.empty()) params.fail("terminator", "'terminator' must not be empty");
  check->per_offence = per_violation(params);
  return check;
}

}  // namespace

const CheckType kPipeMessagesCheck{"pipe-messages", &make, kPipeCalls, {"pipe", "pipe2"}, "a pipe"};

}  // namespace ipcgrade::checks
