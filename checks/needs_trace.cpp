// Check types judged from the trace of IPC and descriptor calls. Their parameters are validated here so
// that assignment files can use them today; until the call tracer lands they are reported as
// "not checked" and count neither for nor against the student.
#include <fmt/format.h>

#include "checks/check.hpp"

namespace ipcgrade::checks {

namespace {

class NeedsTrace : public Check {
 public:
  Verdict evaluate(const CheckInput&) const override {
    Verdict v;
    v.status = Status::NotChecked;
    v.feedback =
        "Not checked: this check judges the IPC calls themselves, which this build of ipcgrade "
        "does not trace yet; it counts neither for nor against the score.";
    return v;
  }
};

std::unique_ptr<Check> with_deduction(const config::ParamReader& params) {
  auto check = std::make_unique<NeedsTrace>();
  if (params.has("per_violation")) {
    check->per_offence = params.number("per_violation");
    if (*check->per_offence < 0) params.fail("per_violation", "'per_violation' must be >= 0");
  }
  return check;
}

void min_max(const config::ParamReader& params, std::string_view key) {
  if (!params.is_map(key)) {
    if (params.integer(key) < 0) params.fail(key, fmt::format("'{}' must be >= 0", key));
    return;
  }
  const config::ParamReader range = params.map(key);
  range.allow_only({"min", "max"});
  if (!range.has("min") && !range.has("max")) range.fail_here(fmt::format("'{}' needs 'min' or 'max'", key));
  const auto lo = range.has("min") ? range.integer("min") : 0;
  const auto hi = range.has("max") ? range.integer("max") : lo;
  if (lo < 0 || (range.has("max") && hi < lo))
    range.fail_here(fmt::format("'{}': need 0 <= min <= max", key));
}

std::unique_ptr<Check> make_assigned_key(const config::ParamReader& params) {
  params.allow_only({"allow_private", "per_violation"});
  if (params.has("allow_private")) params.boolean("allow_private");
  return with_deduction(params);
}

std::unique_ptr<Check> make_permissions(const config::ParamReader& params) {
  params.allow_only({"allow", "per_violation"});
  if (params.has("allow")) {
    for (auto mode : params.integer_list("allow")) {
      if (mode < 0 || mode > 0777)
        params.fail("allow", fmt::format("mode {:o} is not a permission mode", mode));
    }
  }
  return with_deduction(params);
}

std::unique_ptr<Check> make_message_size(const config::ParamReader& params) {
  params.allow_only({"payload", "per_violation"});
  if (!params.has("payload")) params.fail_here("a message-size check needs 'payload' (bytes, or {min, max})");
  min_max(params, "payload");
  return with_deduction(params);
}

std::unique_ptr<Check> make_type_filter(const config::ParamReader& params) {
  params.allow_only({"msgtyp", "per_violation"});
  if (!params.has("msgtyp"))
    params.fail_here("a type-filter check needs 'msgtyp' (an integer, pid, ppid or any)");
  const std::string text = params.string("msgtyp");
  if (text != "pid" && text != "ppid" && text != "any") params.integer("msgtyp");
  return with_deduction(params);
}

std::unique_ptr<Check> make_shm_usage(const config::ParamReader& params) {
  params.allow_only({"size", "detach", "remove", "per_violation"});
  if (params.has("size")) min_max(params, "size");
  if (params.has("detach")) params.boolean("detach");
  if (params.has("remove")) params.boolean("remove");
  return with_deduction(params);
}

std::unique_ptr<Check> make_pipe_closure(const config::ParamReader& params) {
  params.allow_only({"per_violation"});
  return with_deduction(params);
}

std::unique_ptr<Check> make_pipe_messages(const config::ParamReader& params) {
  params.allow_only({"terminator", "per_violation"});
  if (!params.has("terminator"))
    params.fail_here("a pipe-messages check needs 'terminator' (e.g. \"\\n\\0\")");
  if (params.string("terminator").empty()) params.fail("terminator", "'terminator' must not be empty");
  return with_deduction(params);
}

}  // namespace

const CheckType kAssignedKeyCheck{"assigned-key", &make_assigned_key};
const CheckType kPermissionsCheck{"permissions", &make_permissions};
const CheckType kMessageSizeCheck{"message-size", &make_message_size};
const CheckType kTypeFilterCheck{"type-filter", &make_type_filter};
const CheckType kShmUsageCheck{"shm-usage", &make_shm_usage};
const CheckType kPipeClosureCheck{"pipe-closure", &make_pipe_closure};
const CheckType kPipeMessagesCheck{"pipe-messages", &make_pipe_messages};

}  // namespace ipcgrade::checks
