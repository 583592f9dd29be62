// `fifo-usage`: FIFOs made and opened the way that cannot leak or hang. Every FIFO the run makes
// (mkfifo, or mknod with S_IFIFO) is unlinked by some process of the run: a FIFO is a file, and stays in
// its folder after every program has ended. No FIFO is opened O_RDWR (unless `rdwr: true`): Linux lets
// it, but the process then holds a write end itself, so its reads never see end-of-file and it never
// learns that the other side has left; POSIX leaves O_RDWR on a FIFO undefined.
#include <fmt/format.h>

#include <map>

#include "checks/check.hpp"

namespace ipcgrade::checks {

namespace {

enum class Aspect { Remove, ReadWrite };

std::string path_of(const trace::Event& e) {
  const auto it = e.texts.find("pathname");
  return it == e.texts.end() ? std::string("(unknown)") : it->second;
}

class FifoUsageCheck : public Check {
 public:
  bool remove = true, rdwr = false, after_stop = false;

  Verdict evaluate(const CheckInput& input) const override {
    Verdict v;
    std::vector<Aspect> aspects;
    for (const auto& scenario : input.scenarios) {
      std::map<long, const trace::Event*> made;  // by the FIFO's number: the mkfifo not yet unlinked
      for (const auto& e : scenario.result->trace.events) {
        if (e.kind != trace::EventKind::Call || e.failed() || !e.has("fifo")) continue;
        const bool mine = selected_by(input, e);
        if (e.call == "mkfifo" && mine) {
          made[e.value("fifo")] = &e;
        } else if (e.call == "unlink") {
          made.erase(e.value("fifo"));  // by whichever process of the run
        } else if (e.call == "open" && mine && !rdwr && e.value("end") == 2) {
          v.evidence.push_back(call_evidence(
              scenario, e,
              fmt::format(
                  "FIFO {} opened O_RDWR: the process holds a write end of it itself, so a read never "
                  "sees end-of-file and it cannot tell when the other side has gone",
                  path_of(e))));
          aspects.push_back(Aspect::ReadWrite);
        }
      }
      if (!remove) continue;
      for (const auto& [fifo, e] : made) {
        if (!after_stop && cleanup_cut_short(scenario, e->pid)) {
          v.notes.push_back(cut_short_note(scenario, "FIFO " + path_of(*e)));
          continue;
        }
        Evidence left = call_evidence(
            scenario, *e,
            fmt::format("FIFO {} was left behind: it stays in its folder after the programs end",
                        path_of(*e)));
        left.fact = removal_fact(scenario.spec->name, trace::IpcKind::Fifo, -1, path_of(*e));
        if (charge(input, v, std::move(left), "FIFO " + path_of(*e) + " was left behind"))
          aspects.push_back(Aspect::Remove);
      }
    }
    conclude(v, passed_text(), aspects.empty() ? "" : advice(aspects.front()));
    return v;
  }

  std::vector<trace::IpcKind> removals() const override {
    if (!remove) return {};
    return {trace::IpcKind::Fifo};
  }
  bool only_removals() const override { return remove && rdwr; }

 private:
  std::string passed_text() const {
    if (remove && !rdwr) return "Every FIFO was unlinked, and none was opened O_RDWR.";
    if (remove) return "Every FIFO was unlinked.";
    return rdwr ? "Nothing to judge." : "No FIFO was opened O_RDWR.";
  }
  static std::string advice(Aspect a) {
    return a == Aspect::Remove ? "Unlink each FIFO with unlink(path) when both sides are done with it"
                               : "Open a FIFO O_RDONLY on the reading side and O_WRONLY on the writing side; "
                                 "each open waits for the other side, so open the FIFOs in the same order in "
                                 "both programs";
  }
};

std::unique_ptr<Check> make(const config::ParamReader& params) {
  params.allow_only({"remove", "rdwr", "per_violation", "judge_after_stop"});
  auto check = std::make_unique<FifoUsageCheck>();
  check->after_stop = judge_after_stop(params);
  if (params.has("remove")) check->remove = params.boolean("remove");
  if (params.has("rdwr")) check->rdwr = params.boolean("rdwr");
  check->per_offence = per_violation(params);
  return check;
}

}  // namespace

const CheckType kFifoUsageCheck{"fifo-usage", &make, {"mkfifo", "open", "unlink"}, {"mkfifo"}, "a FIFO"};

}  // namespace ipcgrade::checks
