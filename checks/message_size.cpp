// `message-size`: every msgsnd and msgrcv passes the payload size — the message struct without its
// leading `long mtype` — and every message sent has a positive type; with `payload`, every mq_send's
// msg_len is the payload size too. Without a `payload` parameter the
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
    if (e.kind == trace::EventKind::Exec && !e.message_structs.empty()) out[e.program] = e.message_structs;
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

// The name of the program's message struct a wrong msgsz was meant for: the one it equals whole (the
// mtype counted), else the one whose payload is the expected one, else the only one; empty when unknown.
std::string struct_for(long long msgsz, const std::optional<SizeRange>& payload,
                       const std::map<std::string, std::vector<trace::MessageStruct>>& structs,
                       const std::string& program) {
  auto it = structs.find(program);
  if (it == structs.end()) return {};
  for (const auto& s : it->second) {
    if (msgsz == static_cast<long long>(s.size) && s.name != "(anonymous)") return s.name;
  }
  for (const auto& s : it->second) {
    if (payload && payload->holds(static_cast<std::int64_t>(s.size - sizeof(long))) &&
        s.name != "(anonymous)")
      return s.name;
  }
  return it->second.size() == 1 && it->second[0].name != "(anonymous)" ? it->second[0].name : std::string();
}

class MessageSizeCheck : public Check {
 public:
  std::optional<SizeRange> payload;  // none: judged from the programs' debug information

  Verdict evaluate(const CheckInput& input) const override {
    Verdict v;
    std::string own_struct;  // the student's message struct that the first wrong call should measure
    bool posix = false;      // a POSIX message was judged wrong
    bool saw_posix = false;  // POSIX messages were sent
    for (const auto& scenario : input.scenarios) {
      const auto structs = structs_by_program(scenario.result->trace);
      for (const trace::Event* call :
           judged_calls(input, scenario, {"msgsnd", "msgrcv", "mq_send", "mq_timedsend"})) {
        if (call->call != "msgsnd" && call->call != "msgrcv") {
          saw_posix = true;
          // A POSIX message has no type in front: its length is the payload's, judged against `payload`.
          const auto length = call->value("msg_len");
          if (!payload || payload->holds(length)) continue;
          v.evidence.push_back(call_evidence(
              scenario, *call,
              fmt::format("msg_len {} is not the payload size ({})", length, payload->describe())));
          posix = true;
          continue;
        }
        const auto msgsz = call->value("msgsz");
        if (call->call == "msgsnd" && call->has("mtype") && call->value("mtype") <= 0) {
          v.evidence.push_back(call_evidence(
              scenario, *call,
              fmt::format("mtype {} — every message needs a type > 0 (the kernel refuses it with EINVAL)",
                          call->value("mtype"))));
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
        if (why.empty()) continue;
        v.evidence.push_back(call_evidence(scenario, *call, why));
        if (own_struct.empty()) own_struct = struct_for(msgsz, payload, structs, call->program);
      }
    }
    const bool posix_first = posix && v.evidence.front().call.rfind("mq_", 0) == 0;
    conclude(
        v,
        saw_posix ? "Every message was sent with the payload size."
                  : "Every msgsnd and msgrcv passed the payload size, and every message had a positive type.",
        posix_first ? "mq_send's msg_len is the number of bytes of the message itself"
                    : fmt::format("msgsz is the size of the struct minus sizeof(long), padding included: "
                                  "write sizeof(struct {}) - sizeof(long)",
                                  own_struct.empty() ? "msg" : own_struct));
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

const CheckType kMessageSizeCheck{"message-size",
                                  &make,
                                  {"msgsnd", "msgrcv", "mq_send", "mq_timedsend"},
                                  {"msgsnd", "msgrcv", "mq_send", "mq_timedsend"},
                                  "messages sent or received through a queue"};

}  // namespace ipcgrade::checks
