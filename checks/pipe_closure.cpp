// `pipe-closure`: every process closed the pipe ends it does not use — a reader holds no write end
// of the pipe it reads (or read never sees end-of-file), a writer holds no read end. The tracer
// records, at each read and write on a pipe, the other ends the process still holds, carried
// through fork, dup2 and exec.
#include <fmt/format.h>

#include <set>

#include "checks/check.hpp"
#include "grader/trace/spelling.hpp"

namespace ipcgrade::checks {

namespace {

class PipeClosureCheck : public Check {
 public:
  Verdict evaluate(const CheckInput& input) const override {
    Verdict v;
    for (const auto& scenario : input.scenarios) {
      std::set<std::tuple<long, long, std::string>> reported;  // one report per process, pipe and direction
      for (const trace::Event* call : judged_calls(input, scenario, {"read", "write"})) {
        const bool reading = call->call == "read";
        if (call->other_ends.empty()) continue;
        if (!reported.insert({call->pid, call->value("pipe"), call->call}).second) continue;
        const std::string held = trace::fd_list(call->other_ends);
        v.evidence.push_back(call_evidence(
            scenario, *call,
            reading
                ? fmt::format("reads pipe {} while it still holds the pipe's write end ({}): read will never "
                              "see end-of-file while a write end is open; close it before reading",
                              call->value("pipe"), held)
                : fmt::format(
                      "writes pipe {} while it still holds the pipe's read end ({}); close the end it "
                      "does not use",
                      call->value("pipe"), held)));
      }
    }
    conclude(v, "Every process closed the pipe ends it does not use.",
             "After fork, the reader closes the write end and the writer closes the read end");
    return v;
  }
};

std::unique_ptr<Check> make(const config::ParamReader& params) {
  params.allow_only({"per_violation"});
  auto check = std::make_unique<PipeClosureCheck>();
  check->per_offence = per_violation(params);
  return check;
}

}  // namespace

const CheckType kPipeClosureCheck{"pipe-closure", &make, kPipeCalls, {"pipe", "pipe2"}, "a pipe"};

}  // namespace ipcgrade::checks
