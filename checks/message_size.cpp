// `message-size`: every msgsnd and msgrcv passes the payload size — the message struct without its
// leading `long mtype` — and every message sent has a positive type.
#include <fmt/format.h>

#include "checks/check.hpp"

namespace ipcgrade::checks {

namespace {

class MessageSizeCheck : public Check {
 public:
  SizeRange payload;

  Verdict evaluate(const CheckInput& input) const override {
    Verdict v;
    for (const auto& scenario : input.scenarios) {
      for (const trace::Event* call : judged_calls(input, scenario, {"msgsnd", "msgrcv"})) {
        const auto msgsz = call->number("msgsz");
        if (call->call == "msgsnd" && call->has("mtype") && call->number("mtype") <= 0) {
          v.evidence.push_back(call_evidence(
              scenario, *call,
              fmt::format("mtype {} — every message needs a type > 0 (the kernel refuses it with EINVAL)",
                          call->number("mtype"))));
          continue;
        }
        if (payload.holds(msgsz)) continue;
        std::string why;
        if (msgsz == payload.max + static_cast<std::int64_t>(sizeof(long)) ||
            msgsz == payload.min + static_cast<std::int64_t>(sizeof(long))) {
          why = fmt::format("msgsz {} counts the long mtype; the payload is {}", msgsz, payload.describe());
        } else {
          why = fmt::format("msgsz {} is not the payload size ({})", msgsz, payload.describe());
        }
        v.evidence.push_back(call_evidence(scenario, *call, why));
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
  if (!params.has("payload")) params.fail_here("a message-size check needs 'payload' (bytes, or {min, max})");
  auto check = std::make_unique<MessageSizeCheck>();
  check->payload = size_range(params, "payload");
  check->per_offence = per_violation(params);
  return check;
}

}  // namespace

const CheckType kMessageSizeCheck{"message-size", &make};

}  // namespace ipcgrade::checks
