// `shm-usage`: segments have the expected size, every shmat is matched by a shmdt before the
// process exits, and every segment created is removed with IPC_RMID.
#include <fmt/format.h>

#include <map>
#include <set>

#include "checks/check.hpp"

namespace ipcgrade::checks {

namespace {

class ShmUsageCheck : public Check {
 public:
  std::optional<SizeRange> size;
  bool detach = true;
  bool remove = true;

  Verdict evaluate(const CheckInput& input) const override {
    Verdict v;
    for (const auto& scenario : input.scenarios) judge(input, scenario, v);
    v.offences = static_cast<int>(v.evidence.size());
    conclude(v, "Segments had the right size, every shmat had its shmdt, and every segment was removed.", "");
    return v;
  }

 private:
  void judge(const CheckInput& input, const ScenarioView& scenario, Verdict& v) const {
    std::map<std::pair<long, std::string>, const trace::Event*> attached;  // (pid, address) -> shmat
    std::map<long, const trace::Event*> created;                           // id -> shmget
    std::set<long> removed;
    for (const auto& e : scenario.result->trace.events) {
      if (e.kind == "call" && e.call == "shmctl" && e.args.at("cmd") == "IPC_RMID")
        removed.insert(e.number("shmid"));
    }
    for (const trace::Event* call : judged_calls(input, scenario, {"shmget", "shmat", "shmdt"})) {
      if (call->call == "shmget") {
        if (call->failed() || call->args.at("flags").find("IPC_CREAT") == std::string::npos) continue;
        if (call->result) created[*call->result] = call;
        if (size && !size->holds(call->number("size"))) {
          v.evidence.push_back(
              call_evidence(scenario, *call, fmt::format("the segment should be {}", size->describe())));
        }
      } else if (call->call == "shmat" && call->has("address")) {
        attached[{call->pid, call->args.at("address")}] = call;
      } else if (call->call == "shmdt") {
        attached.erase({call->pid, call->args.at("shmaddr")});
      }
    }
    if (detach) {
      for (const auto& [where, call] : attached) {
        v.evidence.push_back(
            call_evidence(scenario, *call,
                          fmt::format("{} was never detached: call shmdt({}) when done with it", where.second,
                                      where.second)));
      }
    }
    if (remove) {
      for (const auto& [id, call] : created) {
        if (removed.count(id)) continue;
        v.evidence.push_back(call_evidence(
            scenario, *call,
            fmt::format(
                "segment {} was never removed: call shmctl({}, IPC_RMID, NULL) when it is no longer needed",
                id, id)));
      }
    }
  }
};

std::unique_ptr<Check> make(const config::ParamReader& params) {
  params.allow_only({"size", "detach", "remove", "per_violation"});
  auto check = std::make_unique<ShmUsageCheck>();
  if (params.has("size")) check->size = size_range(params, "size");
  if (params.has("detach")) check->detach = params.boolean("detach");
  if (params.has("remove")) check->remove = params.boolean("remove");
  check->per_offence = per_violation(params);
  return check;
}

}  // namespace

const CheckType kShmUsageCheck{"shm-usage", &make};

}  // namespace ipcgrade::checks
