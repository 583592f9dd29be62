// `shm-usage`: segments have the expected size, every attachment a process holds is detached before
// the process ends, and every segment created is removed with IPC_RMID. Each aspect is a share of the
// check's points, so that an instructor can weigh them. POSIX shared memory is judged the same way: its
// size is ftruncate's, an mmap of the object is an attachment that munmap detaches, and shm_unlink
// removes it.
//
// Attachments follow the kernel's rules: fork gives the child a copy of every attachment of its parent
// (the child must detach them too), and exec and exit detach whatever is left. Exit with an attachment
// still held fails the check; so does exec with one the process made itself. An inherited attachment
// dropped by exec does not: posix_spawn and system() run their child in the parent's memory until it
// execs, and a child that execs straight after fork never used it. A process that was killed (by a
// limit, the deadlock stop, the end of the scenario, or a crash of its own) did not reach its end by
// itself: its detaching is not judged (a crash is charged by exit: one mistake costs once), and the
// feedback says it was killed while attached.
#include <fcntl.h>
#include <sys/ipc.h>
#include <sys/mman.h>

#include <csignal>

#include <fmt/format.h>

#include <map>
#include <set>

#include "checks/check.hpp"
#include "grader/trace/spelling.hpp"
#include "grader/util/text.hpp"

namespace ipcgrade::checks {

namespace {

struct Attachment {
  const trace::Event* shmat;  // the call that made it (in this process, or an ancestor before a fork)
  std::string holder;         // the assignment's name of the process that holds it
  std::string parent;         // "writer (pid 1000)", when it came through fork
};

std::string name_of(const trace::Event& e) {
  const auto it = e.texts.find("name");
  return it == e.texts.end() ? std::string("(unknown)") : it->second;
}

struct Aspect {
  double share = 0;  // 0: not judged
  bool failed = false;
};

class ShmUsageCheck : public Check {
 public:
  std::optional<SizeRange> size;
  double size_share = 1, detach_share = 1, remove_share = 1;  // 0 turns an aspect off
  bool after_stop = false;

  Verdict evaluate(const CheckInput& input) const override {
    Verdict v;
    Aspect sizes{size ? size_share : 0}, detaches{detach_share}, removes{remove_share};
    std::vector<std::string> killed;
    for (const auto& scenario : input.scenarios) judge(input, scenario, v, sizes, detaches, removes, killed);
    conclude(v, passed_text(), "");
    for (const auto& k : killed)
      v.notes.push_back(k + ": detaching is judged only for a process that ends by itself");
    if (v.status == Status::Failed && !per_offence) {
      double total = 0, earned = 0;
      for (const Aspect* a : {&sizes, &detaches, &removes}) {
        total += a->share;
        if (!a->failed) earned += a->share;
      }
      v.earned = total > 0 ? earned / total : 0;
    }
    return v;
  }

 private:
  std::string passed_text() const {
    std::vector<std::string> parts;
    if (size && size_share > 0) parts.push_back("segments had the right size");
    if (detach_share > 0) parts.push_back("every attachment was detached before its process ended");
    if (remove_share > 0) parts.push_back("every segment was removed");
    return sentence(parts);
  }

  std::vector<trace::IpcKind> removals() const override {
    if (remove_share <= 0) return {};
    return {trace::IpcKind::ShmSegment, trace::IpcKind::PosixShm};
  }
  bool only_removals() const override {
    return remove_share > 0 && detach_share <= 0 && !(size && size_share > 0);
  }

  // The processes the grader ended: runner-started ones it killed, and the ones still alive at the end.
  static std::set<long> killed_by_grader(const ScenarioView& scenario) {
    std::set<long> out;
    for (const auto& p : scenario.result->processes) {
      if (p.killed_by_grader) out.insert(p.pid);
    }
    for (const auto& s : scenario.result->survivors) out.insert(s.pid);
    return out;
  }

  void judge(const CheckInput& input, const ScenarioView& scenario, Verdict& v, Aspect& sizes,
             Aspect& detaches, Aspect& removes, std::vector<std::string>& killed) const {
    const auto& events = scenario.result->trace.events;
    std::set<long> removed;
    for (const auto& e : events) {
      if (e.is_call("shmctl") && e.has("cmd") && e.value("cmd") == IPC_RMID) removed.insert(e.value("shmid"));
    }
    const std::set<long> grader_killed = killed_by_grader(scenario);
    std::map<long, std::map<long long, Attachment>> attached;  // pid -> address -> attachment
    std::map<long, const trace::Event*> created;               // id -> shmget
    std::map<std::string, const trace::Event*> posix_created;  // name -> shm_open with O_CREAT

    // Attachments a process still held when it ended (exit) or dropped by running another program (exec).
    auto ended_while_attached = [&](const trace::Event& at_end, const std::string& how) {
      auto it = attached.find(at_end.pid);
      if (it == attached.end()) return;
      // Killed by the grader, or by a signal of its own making (a crash): it never reached its detach,
      // and the crash is charged where it belongs (exit), not again here.
      const bool was_killed = grader_killed.count(at_end.pid) > 0 ||
                              (at_end.kind == trace::EventKind::Exit && at_end.has("signal"));
      // A crash says its signal; the grader's stop and the scenario's own signals need none.
      const auto crash = at_end.kind == trace::EventKind::Exit ? run::crash_of(at_end) : std::nullopt;
      const std::string how_killed = crash ? fmt::format(" by signal {}", crash->signal) : std::string();
      for (const auto& [at, a] : it->second) {
        const std::string address = trace::hex(static_cast<unsigned long long>(at));
        if (was_killed) {
          killed.push_back(util::process_label(at_end.process, at_end.pid) + " was killed" + how_killed +
                           " while attached to " + address);
          continue;
        }
        if (detach_share <= 0 || (at_end.kind == trace::EventKind::Exec && !a.parent.empty())) continue;
        detaches.failed = true;
        Evidence e = call_evidence(scenario, *a.shmat, "");
        e.process = at_end.process;
        e.pid = at_end.pid;
        if (a.shmat->is_call("mmap")) {
          const std::string unmap = fmt::format("munmap({}, {})", address, a.shmat->value("length"));
          e.detail = a.parent.empty()
                         ? fmt::format(
                               "the mapping of {} at {} was never unmapped: the process {} while it was "
                               "mapped; call {} when done with it",
                               name_of(*a.shmat), address, how, unmap)
                         : fmt::format(
                               "the mapping of {} at {} was inherited from {} through fork and never "
                               "unmapped: the child {} while it was mapped; call {} in the child too",
                               name_of(*a.shmat), address, a.parent, how, unmap);
        } else if (!a.parent.empty()) {
          e.detail = fmt::format(
              "{} was inherited from {} through fork and never detached: the child {} while attached; call "
              "shmdt({}) in the child too before it ends",
              address, a.parent, how, address);
        } else {
          e.detail = fmt::format(
              "{} was never detached: the process {} while attached; call shmdt({}) when done "
              "with it",
              address, how, address);
        }
        v.evidence.push_back(std::move(e));
      }
      attached.erase(it);
    };

    for (const auto& e : events) {
      if (e.kind == trace::EventKind::Spawn && e.parent) {
        auto parent = attached.find(e.parent);
        if (parent == attached.end()) continue;
        // A forked child carries its parent's name: e.process names both.
        for (const auto& [address, a] : parent->second) {
          attached[e.pid][address] = Attachment{a.shmat, e.process, util::process_label(e.process, e.parent)};
        }
      } else if (e.kind == trace::EventKind::Exec) {
        ended_while_attached(e, "ran another program (exec)");
      } else if (e.kind == trace::EventKind::Exit) {
        const bool crashed = e.has("signal");
        ended_while_attached(
            e, crashed ? fmt::format("was killed by signal {}", e.value("signal")) : std::string("exited"));
      } else if (e.is_call("shmget") && selected_by(input, e)) {
        if (e.failed() || !(e.value("flags") & IPC_CREAT)) continue;
        if (e.result && !created.count(*e.result)) created[*e.result] = &e;
        if (size && size_share > 0 && !size->holds(e.value("size"))) {
          sizes.failed = true;
          v.evidence.push_back(
              call_evidence(scenario, e, fmt::format("the segment should be {}", size->describe())));
        }
      } else if ((e.is_call("shmat") || (e.is_call("mmap") && (e.value("flags") & MAP_SHARED))) &&
                 e.has("address") && !e.failed() && selected_by(input, e)) {
        attached[e.pid][e.value("address")] = Attachment{&e, e.process, ""};
      } else if (e.is_call("shmdt") && e.has("shmaddr")) {
        auto it = attached.find(e.pid);
        if (it != attached.end()) it->second.erase(e.value("shmaddr"));
      } else if (e.is_call("munmap")) {
        // Whatever mapping starts in the range goes: munmap unmaps whole ranges, not addresses.
        auto it = attached.find(e.pid);
        const long long from = e.value("addr"), to = from + e.value("length");
        if (it != attached.end())
          std::erase_if(it->second, [&](const auto& kv) { return kv.first >= from && kv.first < to; });
      } else if (e.is_call("shm_open") && !e.failed() && (e.value("oflag") & O_CREAT)) {
        // The first creation of a name, by whichever process: only a student's is the student's to unlink.
        posix_created.try_emplace(name_of(e), selected_by(input, e) ? &e : nullptr);
      } else if (e.is_call("shm_unlink") && !e.failed()) {
        posix_created.erase(name_of(e));
      } else if (e.is_call("ftruncate") && !e.failed() && selected_by(input, e) && size && size_share > 0 &&
                 !size->holds(e.value("length"))) {
        sizes.failed = true;
        v.evidence.push_back(call_evidence(
            scenario, e, fmt::format("shared memory object {} should be {}", name_of(e), size->describe())));
      }
    }
    // A process with no exit in the trace was ended with the run: not judged, but named.
    for (const auto& [pid, addresses] : attached) {
      for (const auto& [address, a] : addresses) {
        killed.push_back(util::process_label(a.holder, pid) + " was killed while attached to " +
                         trace::hex(static_cast<unsigned long long>(address)));
      }
    }
    if (remove_share > 0) {
      for (const auto& [id, call] : created) {
        if (removed.count(id)) continue;
        if (!after_stop && cleanup_cut_short(scenario, call->pid)) {
          v.notes.push_back(cut_short_note(scenario, fmt::format("segment {}", id)));
          continue;
        }
        Evidence e = call_evidence(
            scenario, *call,
            fmt::format(
                "segment {} was never removed: call shmctl({}, IPC_RMID, NULL) when it is no longer needed",
                id, id));
        e.fact = removal_fact(scenario.spec->name, trace::IpcKind::ShmSegment, id, "");
        if (charge(input, v, std::move(e), fmt::format("segment {} was never removed", id)))
          removes.failed = true;
      }
      for (const auto& [name, call] : posix_created) {
        if (!call) continue;
        if (!after_stop && cleanup_cut_short(scenario, call->pid)) {
          v.notes.push_back(cut_short_note(scenario, "shared memory object " + name));
          continue;
        }
        Evidence e = call_evidence(
            scenario, *call,
            fmt::format("shared memory object {} was never removed: it stays in /dev/shm after the programs "
                        "end; call shm_unlink(\"{}\") when it is no longer needed",
                        name, name));
        e.fact = removal_fact(scenario.spec->name, trace::IpcKind::PosixShm, -1, name);
        if (charge(input, v, std::move(e), "shared memory object " + name + " was never removed"))
          removes.failed = true;
      }
    }
  }
};

double share(const config::ParamReader& shares, std::string_view aspect) {
  if (!shares.has(aspect)) return 1;
  const double n = shares.number(aspect);
  if (n < 0) shares.fail(aspect, fmt::format("the share of '{}' must be >= 0", aspect));
  return n;
}

std::unique_ptr<Check> make(const config::ParamReader& params) {
  params.allow_only({"size", "detach", "remove", "shares", "per_violation", "judge_after_stop"});
  auto check = std::make_unique<ShmUsageCheck>();
  check->after_stop = judge_after_stop(params);
  if (params.has("size")) check->size = size_range(params, "size");
  if (params.has("shares")) {
    if (params.has("per_violation"))
      params.fail("shares", "'shares' and 'per_violation' are two ways of scoring: give one of them");
    const config::ParamReader shares = params.map("shares");
    shares.allow_only({"size", "detach", "remove"});
    check->size_share = share(shares, "size");
    check->detach_share = share(shares, "detach");
    check->remove_share = share(shares, "remove");
  }
  if (params.has("detach") && !params.boolean("detach")) check->detach_share = 0;
  if (params.has("remove") && !params.boolean("remove")) check->remove_share = 0;
  check->per_offence = per_violation(params);
  return check;
}

}  // namespace

const CheckType kShmUsageCheck{
    "shm-usage",
    &make,
    {"shmget", "shmat", "shmdt", "shmctl", "shm_open", "shm_unlink", "ftruncate", "mmap", "munmap"},
    {"shmget", "shm_open"},
    "a System V shared memory segment or a POSIX shared memory object"};

}  // namespace ipcgrade::checks
