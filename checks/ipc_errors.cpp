// `ipc-errors`: the IPC calls of the submission's own programs that failed, each explained in the call's
// terms. A failed call is invisible in the output ("semctl(3, 10, SETVAL, 1)" fails with EINVAL and the
// set is never initialised; every later semop fails with EFBIG), and so is a key ftok could not make
// (-1: every student who forgot the file shares key 0xffffffff). Failures a correct program meets on
// purpose are not judged: EINTR (a signal), EAGAIN and ENOMSG (IPC_NOWAIT), EEXIST (IPC_EXCL: create or
// open), ENOENT (a get before the other side made the object: a client that retries), EIDRM (removed
// while waiting: the other side is done); nor a call the grader refused (listed in `refused`).
#include <sys/ipc.h>
#include <sys/sem.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <string>

#include <fmt/format.h>

#include "checks/check.hpp"

namespace ipcgrade::checks {

namespace {

bool expected_failure(int err) {
  return err == EINTR || err == EAGAIN || err == ENOMSG || err == EEXIST || err == ENOENT || err == EIDRM;
}

class IpcErrorsCheck : public Check {
 public:
  Verdict evaluate(const CheckInput& input) const override {
    Verdict v;
    for (const auto& scenario : input.scenarios) {
      std::map<long, long> nsems;  // semaphore set id -> its number of semaphores, from its semget
      for (const auto& e : scenario.result->trace.events) {
        if (e.kind != trace::EventKind::Call) continue;
        if (e.call == "semget" && e.result && !e.failed()) nsems[*e.result] = e.value("nsems");
        if (!judged_by(input, e)) continue;
        if (e.texts.count("refused")) continue;  // the grader's refusal, listed apart
        const bool get = e.call == "msgget" || e.call == "shmget" || e.call == "semget";
        if (get && e.has("key") && static_cast<std::uint32_t>(e.value("key")) == 0xffffffffU) {
          v.evidence.push_back(call_evidence(
              scenario, e,
              "key 0xffffffff is what ftok returns when it fails (does the file exist? is the path the one "
              "the program runs in?): every program whose ftok failed gets the same key"));
          continue;
        }
        if (!e.failed() || expected_failure(e.error)) continue;
        v.evidence.push_back(call_evidence(scenario, e, explain(e, nsems)));
      }
    }
    conclude(v, "No IPC call failed.",
             "Check the return value of every IPC call and print errno (perror): a failed call changes "
             "nothing, and everything after it works on what was not done");
    return v;
  }

 private:
  static std::string explain(const trace::Event& e, const std::map<long, long>& nsems) {
    const char* name = strerrorname_np(e.error);
    std::string why =
        fmt::format("it failed with {} ({})", name ? name : std::to_string(e.error), std::strerror(e.error));
    const long id = e.has("semid") ? static_cast<long>(e.value("semid")) : -1;
    const auto set = nsems.find(id);
    const std::string range = set == nsems.end()
                                  ? std::string()
                                  : fmt::format("the set has {} semaphore{} (0..{})", set->second,
                                                set->second == 1 ? "" : "s", set->second - 1);
    if (e.call == "semctl" && e.error == EINVAL && !range.empty() && e.value("semnum") >= set->second)
      return why + fmt::format(
                       ": semaphore {} is past the set's end — {}; the set was not changed, so it does "
                       "not count as initialised",
                       e.value("semnum"), range);
    if ((e.call == "semop" || e.call == "semtimedop") && e.error == EFBIG && !range.empty())
      return why + ": a sem_num is past the set's end — " + range;
    if (e.error == EACCES)
      return why + ": the object's mode (or the descriptor's open flags) does not let this process do that";
    if (e.error == EINVAL && (e.call == "msgsnd" || e.call == "msgrcv" || e.call == "semop"))
      return why + ": the id is not an object that exists now, or an argument is out of range";
    return why;
  }
};

std::unique_ptr<Check> make(const config::ParamReader& params) {
  params.allow_only({"per_violation"});
  auto check = std::make_unique<IpcErrorsCheck>();
  check->per_offence = per_violation(params);
  return check;
}

}  // namespace

const CheckType kIpcErrorsCheck{
    "ipc-errors", &make, {"msgget",       "msgsnd",          "msgrcv",    "msgctl",   "shmget",
                          "shmat",        "shmdt",           "shmctl",    "semget",   "semop",
                          "semtimedop",   "semctl",          "mq_open",   "mq_send",  "mq_receive",
                          "mq_timedsend", "mq_timedreceive", "mq_unlink", "shm_open", "shm_unlink",
                          "sem_open",     "sem_unlink",      "mkfifo",    "mmap"}};

}  // namespace ipcgrade::checks
