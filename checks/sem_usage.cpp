// `sem-usage`: System V semaphores used the way that cannot hang or leak. Every semaphore gets a value
// (SETVAL, or SETALL for the whole set) before the first semop on it: Linux starts them at 0 and POSIX
// leaves the value undefined, so a wait on one never set blocks for ever. Every set the run creates is
// removed with IPC_RMID. With `undo: true`, every semop that takes (a negative sem_op) passes SEM_UNDO,
// so that a process that dies holding a semaphore gives it back; `undo: [0]` asks it of the semaphores
// listed only (a lock, not the counting semaphores of a bounded buffer, whose takes and gives happen in
// different processes: undoing those at exit would corrupt the count). With `nsems`, sets are created
// with that many semaphores.
#include <fcntl.h>
#include <sys/ipc.h>
#include <sys/sem.h>

#include <fmt/format.h>

#include <map>
#include <set>

#include "checks/check.hpp"
#include "grader/trace/spelling.hpp"

namespace ipcgrade::checks {

namespace {

// What the check found first decides the advice the feedback gives.
enum class Aspect { Initialized, Undo, Remove, RemoveNamed, Size };

struct SemSet {
  const trace::Event* created = nullptr;  // the semget with IPC_CREAT that made it
  long key = 0;
  bool all_set = false;          // SETALL
  std::set<long long> set_nums;  // SETVAL, by semaphore
  bool judged_uninitialized = false;
  bool removed = false;
};

std::string set_name(long id, const SemSet* set) {
  return set ? fmt::format("semaphore set key {} (id {})", trace::key_name(set->key), id)
             : fmt::format("semaphore set {}", id);
}

class SemUsageCheck : public Check {
 public:
  bool initialized = true, remove = true, undo = false, after_stop = false;
  std::optional<std::set<int>> undo_only;  // `undo: [n, ...]`: the semaphores that need SEM_UNDO
  std::optional<SizeRange> nsems;
  // `shares:` ({initialized, undo, remove, nsems}): a failed check earns the shares of the aspects that
  // held, as shm-usage's do, so that one missing IPC_RMID costs the remove share and not the whole check.
  std::optional<std::map<Aspect, double>> shares;

  Verdict evaluate(const CheckInput& input) const override {
    Verdict v;
    std::vector<Aspect> aspects;  // one per piece of evidence
    for (const auto& scenario : input.scenarios) {
      std::map<long, SemSet> sets;  // by id, for the run's whole process tree
      for (const auto& e : scenario.result->trace.events) {
        if (e.kind != trace::EventKind::Call || e.failed()) continue;
        const bool mine = selected_by(input, e);
        if (e.call == "semget" && e.result && (e.value("flags") & IPC_CREAT)) {
          SemSet& s = sets[*e.result];
          if (s.created && !s.removed) continue;  // opened again by another process
          s = SemSet{};
          s.created = &e;
          s.key = static_cast<long>(e.value("key"));
          if (mine && nsems && !nsems->holds(e.value("nsems"))) {
            v.evidence.push_back(call_evidence(
                scenario, e,
                nsems->min == nsems->max
                    ? fmt::format("the set should have {} semaphores", nsems->min)
                    : fmt::format("the set should have {} to {} semaphores", nsems->min, nsems->max)));
            aspects.push_back(Aspect::Size);
          }
        } else if (e.call == "semctl") {
          SemSet& s = sets[e.value("semid")];
          if (e.value("cmd") == SETALL) s.all_set = true;
          if (e.value("cmd") == SETVAL) s.set_nums.insert(e.value("semnum"));
          if (e.value("cmd") == IPC_RMID) s.removed = true;
        } else if ((e.call == "semop" || e.call == "semtimedop") && mine) {
          const long id = static_cast<long>(e.value("semid"));
          auto it = sets.find(id);
          SemSet* s = it == sets.end() ? nullptr : &it->second;
          for (const auto& op : e.sem_ops) {
            const bool set = s && (s->all_set || s->set_nums.count(op.num));
            if (initialized && !set && !(s && s->judged_uninitialized)) {
              if (s) s->judged_uninitialized = true;
              v.evidence.push_back(call_evidence(
                  scenario, e,
                  fmt::format(
                      "semop on semaphore {} of {} before any SETVAL or SETALL gave it a value: it is 0 "
                      "only because Linux starts semaphores at 0 (POSIX leaves the value undefined)",
                      op.num, set_name(id, s))));
              aspects.push_back(Aspect::Initialized);
            }
            if (undo && (!undo_only || undo_only->count(op.num)) && op.op < 0 && !(op.flags & SEM_UNDO)) {
              v.evidence.push_back(call_evidence(
                  scenario, e,
                  fmt::format("sem_op {} on semaphore {} of {} without SEM_UNDO: if the process dies holding "
                              "it, it stays taken and every process that waits on it waits for ever",
                              op.op, op.num, set_name(id, s))));
              aspects.push_back(Aspect::Undo);
            }
          }
        }
      }
      if (!remove) continue;
      // POSIX named semaphores: made by sem_open with O_CREAT, removed by sem_unlink of the name.
      std::map<std::string, const trace::Event*> named;
      for (const auto& e : scenario.result->trace.events) {
        const auto name = e.texts.find("name");
        if (e.kind != trace::EventKind::Call || e.failed() || name == e.texts.end()) continue;
        const bool mine = selected_by(input, e);
        if (e.call == "sem_open" && (e.value("oflag") & O_CREAT) && mine) named.try_emplace(name->second, &e);
        if (e.call == "sem_unlink") named.erase(name->second);
      }
      for (const auto& [name, made] : named) {
        if (!after_stop && cleanup_cut_short(scenario, made->pid)) {
          v.notes.push_back(cut_short_note(scenario, "named semaphore " + name));
          continue;
        }
        Evidence e = call_evidence(
            scenario, *made,
            fmt::format(
                "named semaphore {} was never removed with sem_unlink: it stays in /dev/shm, with its "
                "value, after the programs end",
                name));
        e.fact = removal_fact(scenario.spec->name, trace::IpcKind::PosixSem, -1, name);
        if (charge(input, v, std::move(e), "named semaphore " + name + " was never removed"))
          aspects.push_back(Aspect::RemoveNamed);
      }
      for (const auto& [id, s] : sets) {
        if (!s.created || s.removed) continue;
        const trace::Event& made = *s.created;
        if (!selected_by(input, made)) continue;
        if (!after_stop && cleanup_cut_short(scenario, made.pid)) {
          v.notes.push_back(cut_short_note(scenario, set_name(id, &s)));
          continue;
        }
        Evidence e = call_evidence(scenario, made,
                                   fmt::format("{} was never removed: it outlives the programs and holds its "
                                               "semaphores' values for the next run",
                                               set_name(id, &s)));
        e.fact = removal_fact(scenario.spec->name, trace::IpcKind::SemSet, id, "");
        if (charge(input, v, std::move(e), set_name(id, &s) + " was never removed"))
          aspects.push_back(Aspect::Remove);
      }
    }
    conclude(v, passed_text(), aspects.empty() ? "" : advice(aspects.front(), undo_only.has_value()));
    if (v.status == Status::Failed && shares) {
      const std::set<Aspect> failed(aspects.begin(), aspects.end());
      const std::pair<Aspect, bool> judged[] = {{Aspect::Initialized, initialized},
                                                {Aspect::Undo, undo},
                                                {Aspect::Remove, remove},
                                                {Aspect::Size, nsems.has_value()}};
      double total = 0, earned = 0;
      for (const auto& [aspect, on] : judged) {
        if (!on) continue;
        const double share = shares->at(aspect);
        total += share;
        const bool held =
            !failed.count(aspect) && !(aspect == Aspect::Remove && failed.count(Aspect::RemoveNamed));
        if (held) earned += share;
      }
      v.earned = total > 0 ? earned / total : 0;
    }
    return v;
  }

  std::vector<trace::IpcKind> removals() const override {
    if (!remove) return {};
    return {trace::IpcKind::SemSet, trace::IpcKind::PosixSem};
  }
  bool only_removals() const override { return remove && !initialized && !undo && !nsems; }

 private:
  std::string passed_text() const {
    std::vector<std::string> parts;
    if (initialized) parts.push_back("every semaphore got a value before its first semop");
    if (undo) parts.push_back(undo_only ? "every wait on a lock used SEM_UNDO" : "every wait used SEM_UNDO");
    if (remove) parts.push_back("every set was removed");
    if (nsems) parts.push_back("sets had the right number of semaphores");
    return sentence(parts);
  }

  static std::string advice(Aspect a, bool locks_only) {
    switch (a) {
      case Aspect::Initialized:
        return "Give every semaphore its starting value right after semget creates the set: "
               "semctl(id, n, SETVAL, value) for each, or semctl(id, 0, SETALL, values)";
      case Aspect::Undo:
        return locks_only
                   ? "Pass SEM_UNDO in sem_flg when taking a lock (sem_op < 0), and when giving it back, so "
                     "that the kernel gives it back if the process ends holding it"
                   : "Pass SEM_UNDO in sem_flg of every wait (sem_op < 0), so that the kernel gives the "
                     "semaphore back when the process ends";
      case Aspect::Remove:
        return "Remove the set with semctl(id, 0, IPC_RMID) once every process is done with it";
      case Aspect::RemoveNamed:
        return "Remove a named semaphore with sem_unlink(name) once every process is done with it";
      case Aspect::Size:
        return "Create the set with the number of semaphores the assignment asks for";
    }
    return "";
  }
};

std::unique_ptr<Check> make(const config::ParamReader& params) {
  params.allow_only(
      {"initialized", "remove", "undo", "nsems", "shares", "per_violation", "judge_after_stop"});
  auto check = std::make_unique<SemUsageCheck>();
  check->after_stop = judge_after_stop(params);
  if (params.has("initialized")) check->initialized = params.boolean("initialized");
  if (params.has("remove")) check->remove = params.boolean("remove");
  if (params.is_list("undo")) {
    check->undo = true;
    check->undo_only.emplace();
    for (const auto n : params.integer_list("undo")) {
      if (n < 0) params.fail("undo", "'undo' lists semaphore numbers, which are >= 0");
      check->undo_only->insert(static_cast<int>(n));
    }
  } else if (params.has("undo")) {
    check->undo = params.boolean("undo");
  }
  if (params.has("nsems")) check->nsems = size_range(params, "nsems");
  if (params.has("shares")) {
    if (params.has("per_violation"))
      params.fail("shares", "'shares' and 'per_violation' are two ways of scoring: give one of them");
    const config::ParamReader given = params.map("shares");
    given.allow_only({"initialized", "undo", "remove", "nsems"});
    check->shares.emplace();
    for (const auto& [aspect, key] :
         {std::pair{Aspect::Initialized, "initialized"}, std::pair{Aspect::Undo, "undo"},
          std::pair{Aspect::Remove, "remove"}, std::pair{Aspect::Size, "nsems"}}) {
      const double n = given.has(key) ? given.number(key) : 1;
      if (n < 0) given.fail(key, fmt::format("the share of '{}' must be >= 0", key));
      (*check->shares)[aspect] = n;
    }
  }
  check->per_offence = per_violation(params);
  return check;
}

}  // namespace

const CheckType kSemUsageCheck{"sem-usage",
                               &make,
                               {"semget", "semop", "semtimedop", "semctl", "sem_open", "sem_unlink"},
                               {"semget", "sem_open"},
                               "a System V semaphore set or a named semaphore"};

}  // namespace ipcgrade::checks
