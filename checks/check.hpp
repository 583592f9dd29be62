#pragma once
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "grader/config/assignment.hpp"
#include "grader/config/params.hpp"
#include "grader/run/result.hpp"

namespace ipcgrade::checks {

// What a failed check points at: which process, which call, where in the source.
struct Evidence {
  std::string scenario;
  std::string process;
  long pid = 0;
  std::string call;    // the call with decoded arguments, when the evidence is a call
  std::string at;      // file:line, when known
  std::string detail;  // what is wrong, in a sentence
  // The same fault at the same call site elsewhere (other processes, scenarios, calls of a loop): one
  // piece of evidence stands for them all (group_by_site), and `per_violation` counts it once.
  struct Place {
    std::string scenario;
    long pid = 0;
    std::string call;
  };
  std::vector<Place> also = {};
  int runs = 1;  // the runs of a `runs:` check it showed in
  // The fact it charges where another check may judge the same one ("semaphore set 3 of scenario S was
  // never removed"): a check later in the file finds it charged and says so instead of charging again.
  std::string fact = {};
};

enum class Status { Passed, Failed };

struct Verdict {
  Status status = Status::Passed;
  std::string feedback;  // one or two sentences a student can act on
  std::vector<Evidence> evidence;
  int offences = 0;  // counted for per-offence deductions: call sites, for `per_violation`
  // A check scored by parts (shm-usage's aspects): the share of its points earned when it failed.
  std::optional<double> earned;
  // Set when the feedback opens with the first piece of evidence (so that it stands alone where the
  // evidence is not shown): the rest of it, the advice, which the terminal prints above the evidence list.
  std::optional<std::string> advice;
  // What the check saw but did not judge, in sentences ("server (pid 1001) was killed while attached to
  // 0x7f...: ..."): shown after the feedback, in `grade` and in `run`.
  std::vector<std::string> notes;
  // The facts this verdict charged (`charge`), and how many it left to the earlier check that did.
  std::vector<std::string> charged;
  int charged_elsewhere = 0;
};

// The material a check judges: the scenarios it covers, each with its specification and result
// (processes, leftovers, trace). Checks never run anything; they are pure functions of this.
struct ScenarioView {
  const config::ScenarioSpec* spec;
  const run::ScenarioResult* result;
};

struct CheckInput {
  const config::CheckSpec* spec;
  std::vector<ScenarioView> scenarios;
  std::vector<key_t> keys;              // the student's IPC keys
  std::vector<std::string> names = {};  // the student's POSIX object names ({name}, {name0}, ...)
  // Facts charged by the checks before this one in the file, with the name of the check that did.
  const std::map<std::string, std::string>* charged = nullptr;

  // The processes of `scenario` that this check judges (its `process:` selector, if any).
  std::vector<const run::ProcessResult*> processes(const ScenarioView& scenario) const;
};

class Check {
 public:
  virtual ~Check() = default;
  virtual Verdict evaluate(const CheckInput& input) const = 0;
  // Points taken off per offence instead of all points at once (`per_object`, `per_violation`).
  std::optional<double> per_offence;
  // The kinds of object whose removal it charges (no-leftovers, the usage checks' `remove`), so that
  // `validate` can list the checks that would judge the same fact.
  virtual std::vector<trace::IpcKind> removals() const { return {}; }
  // Whether removal is all it judges: behind a check that charges the same objects, it can never cost
  // a point, and `validate` says so.
  virtual bool only_removals() const { return false; }
};

// A check type: its name in assignment files and how to build one from its parameters.
struct CheckType {
  std::string_view name;
  std::unique_ptr<Check> (*make)(const config::ParamReader& params);
  // The calls of the trace it judges, beyond the process events (spawn, exec, exit) every check may
  // read: the runner asks, to trace read and write only when a check judges them.
  std::vector<std::string_view> calls;
  // A usage check judges how the run used something: with none of these calls made in any scenario it
  // covers, it found nothing to judge and fails (or passes with a note, `optional: true`). `expects` says
  // what the assignment meant the run to make ("a System V semaphore set or a named semaphore"). Empty:
  // the check judges what every run has (output, exit, leftovers).
  std::vector<std::string_view> needs = {};
  std::string_view expects = {};
};
// A pipe check follows each descriptor from the call that made it to the read or write it judges.
inline const std::vector<std::string_view> kPipeCalls = {"pipe", "pipe2", "dup",  "dup2",
                                                         "dup3", "close", "read", "write"};

const CheckType* find_check_type(std::string_view name);
// The calls a check type judges from the trace (read, write, shmat, ...), so that the runner can ask
// whether an assignment's checks need a call traced instead of knowing the check types by name.
std::vector<std::string_view> check_type_names();

// Each check type, defined in a file of its own.
extern const CheckType kOutputCheck;
extern const CheckType kExitCheck;
extern const CheckType kNoLeftoversCheck;
// Types judged from the trace of IPC and descriptor calls.
extern const CheckType kAssignedKeyCheck;
extern const CheckType kPermissionsCheck;
extern const CheckType kMessageSizeCheck;
extern const CheckType kTypeFilterCheck;
extern const CheckType kShmUsageCheck;
extern const CheckType kSemUsageCheck;
extern const CheckType kFifoUsageCheck;
extern const CheckType kMqUsageCheck;
extern const CheckType kPipeClosureCheck;
extern const CheckType kPipeMessagesCheck;
extern const CheckType kIpcErrorsCheck;

// Whether `e` is a call this check judges: one of the submission's own programs made it (not a tool it
// runs), in a process the check's `process:` selects.
bool judged_by(const CheckInput& input, const trace::Event& e);
// Whether an event is the check's to judge, whatever its kind: the submission's own program's, and of
// the check's `process:` when it names one.
bool selected_by(const CheckInput& input, const trace::Event& e);
// The calls named in `calls` that this check judges, in order: made by processes that run the
// submission's own programs (not the tools they exec) and match the check's `process:` selector.
std::vector<const trace::Event*> judged_calls(const CheckInput& input, const ScenarioView& scenario,
                                              std::initializer_list<std::string_view> calls);
// Evidence pointing at a call.
Evidence call_evidence(const ScenarioView& scenario, const trace::Event& call, std::string detail);
// Sets the status and feedback from the evidence collected: `passed` when there is none, else the
// first piece's detail, with the count of the others. Groups the evidence by call site first, and
// counts the sites as the offences.
void conclude(Verdict& verdict, const std::string& passed, const std::string& advice);

// Evidence grouped by call site: pieces with the same file:line, call and fault (numbers aside: pids,
// ids, sizes) become one, which lists where else it showed (`also`). Order is kept; idempotent.
void group_by_site(std::vector<Evidence>& evidence);
// Merges the evidence of another run of the same check: a site already here counts one run more; a new
// one is added.
void merge_run(std::vector<Evidence>& evidence, const std::vector<Evidence>& other);
// How many calls, processes (by scenario and pid), scenarios and runs a piece of evidence stands for.
struct Repeats {
  size_t calls = 1, processes = 1, scenarios = 1;
  int runs = 1;
  bool any() const { return calls > 1 || processes > 1 || scenarios > 1 || runs > 1; }
};
Repeats repeats_of(const Evidence& e);
// "× 4 processes, 2 scenarios", "× 200 calls", "× 3 runs"; empty for evidence that stands for one call.
std::string repeats_text(const Evidence& e);

// One fact, one charge. The fact that an object of `scenario` was never removed: "sem|3" for a System V
// set, by id; "fifo|/tmp/f" for a named object, by name.
std::string removal_fact(const std::string& scenario, trace::IpcKind kind, long id, const std::string& name);
// Adds `e` (whose `fact` is set) to the verdict, unless a check earlier in the file charged the same
// fact: then a note says which ("semaphore set key 0x… (id 3) was never removed: charged by 'nothing is
// left behind'") and it costs nothing here. Returns whether it was added.
bool charge(const CheckInput& input, Verdict& v, Evidence e, const std::string& what);
// The feedback of a check whose every finding an earlier check charged.
inline constexpr std::string_view kAllChargedElsewhere =
    "Nothing to charge here: what this check found was charged by an earlier check";

// Why a usage check found nothing to judge ("no semget or sem_open was made in any scenario (the
// assignment expects ...)"), or nullopt when it found something, or judges what every run has.
std::optional<std::string> nothing_to_judge(const CheckType& type, const CheckInput& input);

// "A, b and c." from the parts a passed check saw hold: joined with commas, capitalised, a full stop.
std::string sentence(const std::vector<std::string>& parts);

// Endings: the grader stopped the run (deadlock, wall limit, a limit) while the process that made an
// object was still running, and without a stop signal of the assignment's own that would have let it
// clean up: its removal never had its chance. The checks that judge removal then do not charge it,
// unless `judge_after_stop: true`. `maker` is the pid of the call that made the object.
bool cleanup_cut_short(const ScenarioView& scenario, long maker);
// "semaphore set key 0x... (id 0): not judged: the run was stopped (deadlock) before it could clean up —
// see exit"
std::string cut_short_note(const ScenarioView& scenario, const std::string& what);
// Reads the optional `judge_after_stop` parameter of the checks that judge removal.
bool judge_after_stop(const config::ParamReader& params);

// Reads the optional `per_violation` parameter shared by the trace checks.
std::optional<double> per_violation(const config::ParamReader& params);
// Reads a size parameter written as bytes or as {min, max}.
struct SizeRange {
  std::int64_t min = 0, max = 0;
  bool holds(std::int64_t n) const { return n >= min && n <= max; }
  std::string describe() const;  // "72 bytes", "64 to 72 bytes"
};
SizeRange size_range(const config::ParamReader& params, std::string_view key);

// "client #1 (pid 317)": how evidence and feedback name a process.
std::string describe(const run::ProcessResult& process);
// Why a process that did not start judged nothing: "reader #0 never started: server #0 never became
// ready (...)", or "client #0 could not be started: program not found".
std::string not_started(const run::ProcessResult& process);
// Output quoted for a sentence: escaped, shortened to `limit` characters.
std::string quote_output(const std::string& text, size_t limit = 120);

}  // namespace ipcgrade::checks
