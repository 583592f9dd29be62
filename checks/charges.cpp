// One fact, one charge. A missing IPC_RMID is a leftover (no-leftovers) and a usage check's `remove`
// at once: the first of those checks in the assignment file charges it, and the others say which did,
// so that one omission costs once.
#include <fmt/format.h>

#include "checks/check.hpp"

namespace ipcgrade::checks {

std::string removal_fact(const std::string& scenario, trace::IpcKind kind, long id, const std::string& name) {
  return fmt::format("removed|{}|{}|{}", scenario, trace::ipc_kind_name(kind),
                     name.empty() ? std::to_string(id) : name);
}

bool charge(const CheckInput& input, Verdict& v, Evidence e, const std::string& what) {
  if (input.charged && !e.fact.empty()) {
    const auto it = input.charged->find(e.fact);
    if (it != input.charged->end()) {
      v.notes.push_back(fmt::format("{}{}: charged by '{}'", what,
                                    input.scenarios.size() > 1 ? " in '" + e.scenario + "'" : std::string(),
                                    it->second));
      ++v.charged_elsewhere;
      return false;
    }
  }
  if (!e.fact.empty()) v.charged.push_back(e.fact);
  v.evidence.push_back(std::move(e));
  return true;
}

}  // namespace ipcgrade::checks
