#include <algorithm>

#include "checks/check.hpp"

namespace ipcgrade::checks {

namespace {
// Every check type, one line each. Adding a check type = one file + one line here.
const CheckType* const kCheckTypes[] = {
    &kOutputCheck,      &kExitCheck,        &kNoLeftoversCheck,  &kAssignedKeyCheck, &kPermissionsCheck,
    &kMessageSizeCheck, &kTypeFilterCheck,  &kShmUsageCheck,     &kSemUsageCheck,    &kFifoUsageCheck,
    &kMqUsageCheck,     &kPipeClosureCheck, &kPipeMessagesCheck, &kIpcErrorsCheck,
};
}  // namespace

const CheckType* find_check_type(std::string_view name) {
  for (const CheckType* type : kCheckTypes) {
    if (type->name == name) return type;
  }
  return nullptr;
}

std::vector<std::string_view> check_type_names() {
  std::vector<std::string_view> names;
  for (const CheckType* type : kCheckTypes) names.push_back(type->name);
  return names;
}

std::vector<const run::ProcessResult*> CheckInput::processes(const ScenarioView& scenario) const {
  std::vector<const run::ProcessResult*> out;
  for (const auto& p : scenario.result->processes) {
    if (!spec->process || *spec->process == p.name) out.push_back(&p);
  }
  return out;
}

}  // namespace ipcgrade::checks
