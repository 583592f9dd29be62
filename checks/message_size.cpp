// `message-size`: every msgsnd and msgrcv passes the payload size — the message struct without its
// leading `long mtype` — and every message sent has a positive type. Without a `payload` parameter the
// structs come from the program's debug information (the tracer lists, on each exec, the structs
// that start with a long): a msgsz equal to a whole such struct is the mistake to report.
#include <fmt/format.h>

#include <map>

#include "checks/check.hpp"
#include "grader/trace/message_structs.hpp"

namespace ipcgrade::checks {

namespace {

// The message structs of each program, from the exec events.
std::map<std::string, std::vector<trace::MessageStruct>> structs_by_program(const trace::Trace& trace) {
  std::map<std::string, std::vector<trace::MessageStruct>> out;
  for (const auto& e : trace.events) {
    if (e.kind == "exec" && e.has("message_structs")) {
      out[e.program] = trace::decode_message_structs(e.args.at("message_structs"));
    }
  }
  return out;
}

// Judges msgsz against the program's own structs; empty when it looks right or cannot be told.
std::string judge_by_structs(long long msgsz, const std::vector<trace::MessageStruct>& structs) {
  for (const auto& s : structs) {
    if (msgsz == static_cast<long long>(s.size - sizeof(long))) return {};
  }
  for (const auto& s : structs) {
    if (msgsz == static_cast<long long>(s.size)) {
      return fmt::format(
          "msgsz {} is sizeof(struct {}), which counts the long mtype; the payload is {} bytes", msgsz,
          s.name, s.size - sizeof(long));
    }
  }
  return {};
}

class MessageSizeCheck : public Check {
 public:
  std::optional<SizeRange> payload;  // none: judged from the programs' debug information

  Verdict evaluate(const CheckInput& input) const override {
    Verdict v;
    for (const auto& scenario : input.scenarios) {
      const auto structs = structs_by_program(scenario.result->trace);
      for (const trace::Event* call : judged_calls(input, scenario, {"msgsnd", "msgrcv"})) {
        const auto msgsz = call->number("msgsz");
        if (call->call == "msgsnd" && call->has("mtype") && call->number("mtype") <= 0) {
          v.evidence.push_back(call_evidence(
              scenario, *call,
              fmt::format("mtype {} — every message needs a type > 0 (the kernel refuses it with EINVAL)",
                          call->number("mtype"))));
          continue;
        }
        std::string why;
        if (!payload) {
          auto it = structs.find(call->program);
          if (it != structs.end()) why = judge_by_structs(msgsz, it->second);
        } else if (payload->holds(msgsz)) {
          continue;
        } else if (msgsz == payload->max + static_cast<std::int64_t>(sizeof(long)) ||
                   msgsz == payload->min + static_cast<std::int64_t>(sizeof(long))) {
          why = fmt::format("msgsz {} counts the long mtype; the payload is {}", msgsz, payload->describe());
        } else {
          why = fmt::format("msgsz {} is not the payload size ({})", msgsz, payload->describe());
        }
        if (!why.empty()) v.evidence.push_back(call_evidence(scenario, *call, why));
      }
    }
    v.offences = static_cast<int>(v.evidence.size());
    conclude(v, "Every msgsnd and msgrcv passed the payload size, and every message had a positive type.",
             "msgsz is the size of the struct minus sizeof(long): write sizeof(struct msg) - sizeof(long)");
    return v;
  }
};

std::unique_ptr<Check> make(const config::ParamReader& params) {
  params.allow_only({"payload", "per_violation"});
  auto check = std::make_unique<MessageSizeCheck>();
  if (params.has("payload")) check->payload = size_range(params, "payload");
  check->per_offence = per_violation(params);
  return check;
}

}  // namespace

const CheckType kMessageSizeCheck{"message-size", &make};

}  // namespace ipcgrade::checks
