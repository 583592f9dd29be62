// `no-leftovers`: the run removed every IPC object it created.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>

#include "checks/check.hpp"
#include "grader/trace/spelling.hpp"

namespace ipcgrade::checks {

namespace {

std::string kind_name(const std::string& kind, bool plural) {
  if (kind == "msg") return plural ? "message queues" : "message queue";
  if (kind == "shm") return plural ? "shared memory segments" : "shared memory segment";
  if (kind == "sem") return plural ? "semaphore sets" : "semaphore set";
  if (kind == "posix-shm") return plural ? "POSIX shared memory objects" : "POSIX shared memory object";
  if (kind == "posix-mq") return plural ? "POSIX message queues" : "POSIX message queue";
  // Names made outside the working folder (tracked mode on a kernel without Landlock).
  if (kind == "fifo") return plural ? "FIFOs" : "FIFO";
  if (kind == "socket") return plural ? "socket files" : "socket file";
  if (kind == "directory") return plural ? "folders" : "folder";
  if (kind == "symlink") return plural ? "symbolic links" : "symbolic link";
  if (kind == "file") return plural ? "files" : "file";
  return kind;
}

std::string how_to_remove(const std::string& kind) {
  if (kind == "msg") return "msgctl(id, IPC_RMID, NULL)";
  if (kind == "shm") return "shmctl(id, IPC_RMID, NULL)";
  if (kind == "sem") return "semctl(id, 0, IPC_RMID)";
  if (kind == "posix-shm") return "shm_unlink(name)";
  if (kind == "posix-mq") return "mq_unlink(name)";
  if (kind == "directory") return "unlink(path) (rmdir(path) for a folder)";
  if (kind == "fifo" || kind == "socket" || kind == "symlink" || kind == "file") return "unlink(path)";
  return "the matching remove call";
}

class NoLeftoversCheck : public Check {
 public:
  Verdict evaluate(const CheckInput& input) const override {
    Verdict v;
    std::map<std::string, int> per_kind;
    for (const auto& scenario : input.scenarios) {
      for (const auto& left : scenario.result->leftovers) {
        ++v.offences;
        ++per_kind[left.kind];
        std::string what = left.name.empty()
                               ? fmt::format("{} key {} (id {}, mode {:04o}", kind_name(left.kind, false),
                                             trace::key_hex(left.key), left.id, left.mode)
                               : fmt::format("{} {} (mode {:04o}, {} bytes", kind_name(left.kind, false),
                                             left.name, left.mode, left.bytes);
        if (left.kind == "msg") what += fmt::format(", {} message(s) still queued", left.messages);
        if (left.kind == "shm") what += fmt::format(", {} bytes, {} attached", left.bytes, left.attached);
        if (left.kind == "sem") what += fmt::format(", {} semaphore(s)", left.messages);
        what += ")";
        std::string detail = fmt::format("{} was left behind{}", what,
                                         left.reclaimed ? " and has been removed by the grader" : "");
        // The creator is the one to remove it (or to agree who does); the others only opened it.
        if (!left.opened_by.empty()) {
          // Three names say enough (a server's thirty clients would not); the report lists them all.
          const size_t shown = std::min<size_t>(left.opened_by.size(), 3);
          detail += fmt::format("; also opened by {}",
                                fmt::join(left.opened_by.begin(), left.opened_by.begin() + shown, ", "));
          if (left.opened_by.size() > shown)
            detail += fmt::format(" and {} more", left.opened_by.size() - shown);
        }
        v.evidence.push_back(Evidence{scenario.spec->name, left.creator_process, left.creator_pid, left.call,
                                      left.at, detail});
      }
    }
    if (v.offences == 0) {
      v.feedback = "Every IPC object the run created was removed.";
      return v;
    }
    v.status = Status::Failed;
    std::string list;
    for (const auto& [kind, n] : per_kind) {
      if (!list.empty()) list += " and ";
      list += fmt::format("{} {}", n, kind_name(kind, n > 1));
    }
    const std::string first_kind = per_kind.begin()->first;
    v.feedback = fmt::format(
        "{} {} left behind after the programs exited; remove each with {} once it is no "
        "longer needed.",
        list, v.offences > 1 ? "were" : "was", how_to_remove(first_kind));
    return v;
  }
};

std::unique_ptr<Check> make(const config::ParamReader& params) {
  params.allow_only({"per_object"});
  auto check = std::make_unique<NoLeftoversCheck>();
  if (params.has("per_object")) {
    check->per_offence = params.number("per_object");
    if (*check->per_offence < 0) params.fail("per_object", "'per_object' must be >= 0");
  }
  return check;
}

}  // namespace

const CheckType kNoLeftoversCheck{"no-leftovers", &make};

}  // namespace ipcgrade::checks
