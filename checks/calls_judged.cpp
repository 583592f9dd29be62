// The calls each check type judges: the descriptor and IPC calls it reads from the trace, beyond the
// process events (spawn, exec, exit) that every check may read.
#include <map>

#include "checks/check.hpp"

namespace ipcgrade::checks {

const std::vector<std::string_view>& calls_judged(const CheckType& type) {
  // A pipe check follows each descriptor from the call that made it to the read or write it judges.
  static const std::vector<std::string_view> kPipeCalls = {"pipe", "pipe2", "dup",  "dup2",
                                                           "dup3", "close", "read", "write"};
  static const std::map<const CheckType*, std::vector<std::string_view>> kCalls = {
      {&kOutputCheck, {}},
      {&kExitCheck, {}},
      {&kNoLeftoversCheck, {}},  // judges what the run left, not calls
      {&kAssignedKeyCheck, {"msgget", "shmget", "semget"}},
      {&kPermissionsCheck, {"msgget", "shmget", "semget"}},
      {&kMessageSizeCheck, {"msgsnd", "msgrcv"}},
      {&kTypeFilterCheck, {"msgrcv"}},
      {&kShmUsageCheck, {"shmget", "shmat", "shmdt", "shmctl"}},
      {&kPipeClosureCheck, kPipeCalls},
      {&kPipeMessagesCheck, kPipeCalls},
  };
  static const std::vector<std::string_view> kNone;
  const auto it = kCalls.find(&type);
  return it == kCalls.end() ? kNone : it->second;
}

}  // namespace ipcgrade::checks
