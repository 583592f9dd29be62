// `no-leftovers`: the run removed every IPC object it created.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>

#include "checks/check.hpp"
#include "grader/trace/spelling.hpp"
#include "grader/util/text.hpp"

namespace ipcgrade::checks {

namespace {

std::string kind_name(trace::IpcKind kind, bool plural) {
  return trace::ipc_kind_noun(kind, plural);
}

std::string how_to_remove(trace::IpcKind kind) {
  using K = trace::IpcKind;
  if (kind == K::MsgQueue) return "msgctl(id, IPC_RMID, NULL)";
  if (kind == K::ShmSegment) return "shmctl(id, IPC_RMID, NULL)";
  if (kind == K::SemSet) return "semctl(id, 0, IPC_RMID)";
  if (kind == K::PosixShm) return "shm_unlink(name)";
  if (kind == K::PosixMq) return "mq_unlink(name)";
  if (kind == K::PosixSem) return "sem_unlink(name)";
  if (kind == K::Directory) return "unlink(path) (rmdir(path) for a folder)";
  if (kind == K::Fifo || kind == K::Socket || kind == K::Symlink || kind == K::File) return "unlink(path)";
  return "the matching remove call";
}

// "semaphore set key 0x00005000 (id 0)", "FIFO /tmp/f": the object, as a note names it.
std::string describe_object(const run::Leftover& left) {
  return left.name.empty() ? fmt::format("{} key {} (id {})", kind_name(left.kind, false),
                                         trace::key_name(left.key), left.id)
                           : fmt::format("{} {}", kind_name(left.kind, false), left.name);
}

class NoLeftoversCheck : public Check {
 public:
  bool after_stop = false;

  std::vector<trace::IpcKind> removals() const override {
    using K = trace::IpcKind;
    return {K::MsgQueue, K::ShmSegment, K::SemSet, K::PosixMq, K::PosixShm, K::PosixSem, K::Fifo};
  }
  bool only_removals() const override { return true; }

  Verdict evaluate(const CheckInput& input) const override {
    Verdict v;
    std::map<std::string_view, int> per_kind;  // by the kind's name: the feedback lists kinds alphabetically
    for (const auto& scenario : input.scenarios) {
      for (const auto& left : scenario.result->leftovers) {
        if (left.cleanup_stopped && !after_stop) {
          v.notes.push_back(fmt::format("{} was left in '{}' when the run was stopped ({}){}",
                                        describe_object(left), scenario.spec->name,
                                        run::to_string(scenario.result->outcome),
                                        left.reclaimed ? ", and the grader removed it" : ""));
          continue;
        }
        std::string what =
            left.name.empty()
                ? fmt::format("{} key {} (id {}, mode {:04o}", kind_name(left.kind, false),
                              trace::key_name(left.key), left.id, left.mode)
                : fmt::format("{} {} (mode {:04o}", kind_name(left.kind, false), left.name, left.mode);
        // Only what holds data has a size worth a number: not a FIFO, a semaphore or a folder.
        if (!left.name.empty() && (left.kind == trace::IpcKind::PosixShm ||
                                   left.kind == trace::IpcKind::PosixMq || left.kind == trace::IpcKind::File))
          what += fmt::format(", {} bytes", left.bytes);
        if (left.kind == trace::IpcKind::MsgQueue)
          what += fmt::format(", {} message(s) still queued", left.messages);
        if (left.kind == trace::IpcKind::ShmSegment)
          what += fmt::format(", {} bytes, {} attached", left.bytes, left.attached);
        if (left.kind == trace::IpcKind::SemSet) what += fmt::format(", {} semaphore(s)", left.messages);
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
        Evidence e{scenario.spec->name, left.creator_process, left.creator_pid, left.call, left.at, detail};
        e.fact = removal_fact(scenario.spec->name, left.kind, left.id, left.name);
        if (!charge(input, v, std::move(e), describe_object(left) + " was left behind")) continue;
        ++v.offences;
        ++per_kind[trace::ipc_kind_name(left.kind)];
      }
    }
    // Leftovers made at one line by many processes are one piece of evidence; `per_object` still counts
    // the objects.
    group_by_site(v.evidence);
    if (v.offences == 0) {
      const size_t stopped = v.notes.size() - static_cast<size_t>(v.charged_elsewhere);
      v.feedback = v.charged_elsewhere > 0 && stopped == 0 ? std::string(kAllChargedElsewhere) + "."
                   : v.notes.empty()                       ? "Every IPC object the run created was removed."
                                                           : fmt::format(
                                                                 "Not judged: the run was stopped before it could "
                                                                                       "clean up ({} object(s) left) — see exit.",
                                                                 stopped);
      return v;
    }
    v.status = Status::Failed;
    // How to remove each kind, by its own call: a segment is not removed with semctl.
    std::vector<std::string> counts, removals;
    for (const auto& [kind, n] : per_kind) {
      const trace::IpcKind k = *trace::parse_ipc_kind(kind);
      counts.push_back(fmt::format("{} {}", n, kind_name(k, n > 1)));
      removals.push_back(kind_name(k, true) + " with " + how_to_remove(k));
    }
    const std::string list = util::listing(counts);
    const std::string how =
        per_kind.size() == 1
            ? "remove each with " + how_to_remove(*trace::parse_ipc_kind(per_kind.begin()->first))
            : "remove " + util::listing(removals);
    v.feedback =
        fmt::format("{} {} left behind after the programs exited; {} once {} no longer needed.", list,
                    v.offences > 1 ? "were" : "was", how, per_kind.size() == 1 ? "it is" : "each is");
    return v;
  }
};

std::unique_ptr<Check> make(const config::ParamReader& params) {
  params.allow_only({"per_object", "judge_after_stop"});
  auto check = std::make_unique<NoLeftoversCheck>();
  check->after_stop = judge_after_stop(params);
  if (params.has("per_object")) {
    check->per_offence = params.number("per_object");
    if (*check->per_offence < 0) params.fail("per_object", "'per_object' must be >= 0");
  }
  return check;
}

}  // namespace

const CheckType kNoLeftoversCheck{"no-leftovers", &make, {}};

}  // namespace ipcgrade::checks
