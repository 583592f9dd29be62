// `assigned-key`: every msgget/shmget/semget uses one of the keys handed to the student, and every
// mq_open/shm_open/sem_open one of the POSIX names ({name}, {name0}, ...).
#include <sys/ipc.h>

#include <csignal>

#include <fmt/format.h>

#include <algorithm>

#include "checks/check.hpp"
#include "grader/trace/spelling.hpp"

namespace ipcgrade::checks {

namespace {

std::string key_list(const std::vector<key_t>& keys) {
  std::string out;
  for (key_t k : keys) out += (out.empty() ? "" : ", ") + trace::key_hex(k);
  return out;
}

std::string name_list(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

class AssignedKeyCheck : public Check {
 public:
  bool allow_private = false;

  Verdict evaluate(const CheckInput& input) const override {
    Verdict v;
    bool posix = false;  // POSIX objects were opened: the feedback speaks of names too
    for (const auto& scenario : input.scenarios) {
      for (const trace::Event* call : judged_calls(input, scenario, {"msgget", "shmget", "semget"})) {
        const auto value = static_cast<key_t>(call->value("key"));
        const std::string key = trace::key_name(value);
        if (value == IPC_PRIVATE) {
          if (!allow_private)
            v.evidence.push_back(call_evidence(scenario, *call,
                                               "IPC_PRIVATE makes a new object "
                                               "that no other program can find by key"));
          continue;
        }
        if (std::find(input.keys.begin(), input.keys.end(), value) != input.keys.end()) continue;
        v.evidence.push_back(call_evidence(
            scenario, *call, fmt::format("key {} is not one of your keys ({})", key, key_list(input.keys))));
      }
      for (const trace::Event* call : judged_calls(input, scenario, {"mq_open", "shm_open", "sem_open"})) {
        posix = true;
        const auto name = call->texts.find("name");
        if (name == call->texts.end() ||
            std::find(input.names.begin(), input.names.end(), name->second) != input.names.end())
          continue;
        v.evidence.push_back(call_evidence(
            scenario, *call,
            fmt::format("name {} is not one of your names ({})", name->second, name_list(input.names))));
      }
    }
    conclude(v,
             posix ? "Every IPC object was opened with one of your assigned keys or names."
                   : "Every msgget, shmget and semget used one of your assigned keys.",
             posix ? "Take the key or name from the command line (the assignment passes it to your program) "
                     "instead of a constant"
                   : "Take the key from the command line (the assignment passes it to your program) instead "
                     "of a constant or ftok()");
    return v;
  }
};

std::unique_ptr<Check> make(const config::ParamReader& params) {
  params.allow_only({"allow_private", "per_violation"});
  auto check = std::make_unique<AssignedKeyCheck>();
  if (params.has("allow_private")) check->allow_private = params.boolean("allow_private");
  check->per_offence = per_violation(params);
  return check;
}

}  // namespace

const CheckType kAssignedKeyCheck{"assigned-key",
                                  &make,
                                  {"msgget", "shmget", "semget", "mq_open", "shm_open", "sem_open"},
                                  {"msgget", "shmget", "semget", "mq_open", "shm_open", "sem_open"},
                                  "an IPC object made or opened by its key or name"};

}  // namespace ipcgrade::checks
