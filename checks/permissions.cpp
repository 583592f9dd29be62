// `permissions`: every IPC object the programs create has one of the allowed modes.
#include <fcntl.h>
#include <sys/ipc.h>

#include <csignal>

#include <fmt/format.h>

#include <algorithm>

#include "checks/check.hpp"
#include "grader/trace/spelling.hpp"

namespace ipcgrade::checks {

namespace {

// Whether the call made the object it names (and so chose its mode).
bool makes(const trace::Event& call) {
  if (call.failed()) return false;
  if (call.call == "mkfifo") return true;
  if (call.call == "msgget" || call.call == "shmget" || call.call == "semget")
    return (call.value("flags") & IPC_CREAT) != 0;
  return (call.value("oflag") & O_CREAT) && call.has("mode") &&
         !(call.has("existed") && call.value("existed"));
}

class PermissionsCheck : public Check {
 public:
  std::vector<std::int64_t> allow = {0600, 0666};

  Verdict evaluate(const CheckInput& input) const override {
    Verdict v;
    std::string allowed;
    for (auto mode : allow) allowed += (allowed.empty() ? "" : ", ") + fmt::format("{:04o}", mode);
    if (allow.size() > 8) allowed = "modes without execute bits, such as 0600, 0660 or 0666";
    for (const auto& scenario : input.scenarios) {
      for (const trace::Event* call :
           judged_calls(input, scenario,
                        {"msgget", "shmget", "semget", "mkfifo", "mq_open", "shm_open", "sem_open"})) {
        if (!makes(*call)) continue;
        const auto mode = call->value("mode");
        if (std::find(allow.begin(), allow.end(), mode) != allow.end()) continue;
        // A FIFO or POSIX object gets the mode without the process's umask bits: said, but the mode the
        // code asks for is what is judged (another machine's umask is not the student's).
        std::string shown = fmt::format("{:04o}", mode);
        if (call->has("umask") && (mode & call->value("umask")))
          shown += fmt::format(" ({:04o} after the umask {:03o})", mode & ~call->value("umask"),
                               call->value("umask"));
        std::string why = fmt::format("mode {} is not allowed (allowed: {})", shown, allowed);
        if (mode & 0111) why += "; execute bits mean nothing for IPC objects";
        if ((mode & 0002) && std::find(allow.begin(), allow.end(), 0666) == allow.end())
          why += "; any user on the machine could write to it";
        v.evidence.push_back(call_evidence(scenario, *call, why));
      }
    }
    conclude(v, "Every IPC object was created with an allowed mode.",
             "Create objects with the mode the assignment asks for, e.g. IPC_CREAT | 0600");
    return v;
  }
};

std::unique_ptr<Check> make(const config::ParamReader& params) {
  params.allow_only({"allow", "per_violation"});
  auto check = std::make_unique<PermissionsCheck>();
  if (params.has("allow")) {
    check->allow = params.integer_list("allow");
    for (auto mode : check->allow) {
      if (mode < 0 || mode > 0777) params.fail("allow", fmt::format("{:o} is not a permission mode", mode));
    }
  }
  check->per_offence = per_violation(params);
  return check;
}

}  // namespace

const CheckType kPermissionsCheck{
    "permissions", &make, {"msgget", "shmget", "semget", "mkfifo", "mq_open", "shm_open", "sem_open"}};

}  // namespace ipcgrade::checks
