#pragma once
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>

#include "grader/config/assignment.hpp"
#include "grader/config/placeholders.hpp"
#include "grader/run/result.hpp"
#include "grader/sandbox/new_root.hpp"

namespace ipcgrade::sandbox {
class RunMounts;
}

namespace ipcgrade::runner {

enum class Isolation { Auto, Namespaces, Tracked };
Isolation isolation_from_string(const std::string& text);  // throws std::invalid_argument

struct RunContext {
  config::Placeholders placeholders;  // keys, student, folders; `index` is set per process
  std::filesystem::path work_dir;     // the scratch copy: every process starts there
  bool trace_pipe_io = false;         // also trace read/write on descriptors above 2 (pipe checks, `run`)
  // Wait for the result of every IPC call, semop and msgsnd included (an `ipc-errors` check judges
  // failures): otherwise those hot calls are recorded at entry, one stop each.
  bool trace_ipc_results = false;
  bool inherit_stdio = false;  // `run`: programs use the grader's terminal, output is not captured
  bool expand = true;          // `run`: the command line is used as given, placeholders and all
  std::string judged_dir;      // programs under it are judged; default: work_dir
  Isolation isolation = Isolation::Auto;
  // When the grader is root, student programs run as a uid of their own (2000000000 + the scenario
  // supervisor's pid). `run` keeps the caller's uid: the program is the caller's own.
  bool drop_privileges = true;
  // The programs' whole environment ("NAME=value"): the clean one of clean_environment() for `grade`,
  // `check` and the build; unset for `run`, whose program is the caller's own.
  std::optional<std::vector<std::string>> env;
  // The working folder is the grader's copy: in namespaces mode it is put on a filesystem of
  // `limits.disk` for the run. `run` works in the caller's own folder, which is bound as it is.
  bool private_work_dir = true;
  bool is_build = false;  // the build: its working folder is copied back, nothing is judged, no watchdog
  // The assignment's `files:` in the working folder (relative): the run may read them, never change them.
  std::vector<std::string> instructor_files;
  // Those of them only the instructor's programs may read (`private`), where the run has a uid of its own.
  std::vector<std::string> private_files;
  // A run under a schedule perturbation derived from this seed (a scenario's `runs`, `--seed`): the
  // programs on one CPU or all, at shuffled priorities, some of their stops held a few milliseconds.
  std::optional<std::uint64_t> schedule_seed;
  // `--tracer`: overrides the scenario's `tracer:` limit (see tracer_choice.cpp).
  std::optional<config::TracerChoice> tracer;
};

// The uid of the instructor's programs for a run whose uid is `run_as` (see Containment::judge_as).
uid_t judge_uid(uid_t run_as);
// Whether `folder` (relative to the working folder `work`) holds only instructor files (`files:`) and
// the folders leading to them: then the run may not write it (hand_over), and an instructor program in
// it may import from it.
bool instructor_only_folder(const std::filesystem::path& work, const std::filesystem::path& folder,
                            const std::vector<std::string>& instructor_files);
// The environment of the build and the programs: PATH=/usr/local/bin:/usr/bin:/bin, HOME = the working
// folder, LANG=C.UTF-8, TMPDIR=/tmp, then `extra` (the assignment's `env:`).
std::vector<std::string> clean_environment(const std::filesystem::path& work_dir,
                                           const std::vector<std::pair<std::string, std::string>>& extra);

// How a scenario's supervisor contains the run (decided in run_scenario).
struct Containment {
  bool tracked = false;
  pid_t init = -1;                   // namespaces: the PID namespace's init
  std::filesystem::path mqueue_dir;  // namespaces: the run's mqueue filesystem
  std::optional<uid_t> run_as;       // the uid student programs run as
  // The uid (and gid) the instructor's programs run as where there are private files: another than the
  // run's, so that the student's programs can neither read those files nor reach into the programs
  // that do (their /proc entries, their signals). They keep the run's group to share the working folder.
  std::optional<uid_t> judge_as;
  std::string mode_reason;               // tracked under `auto`: why namespaces were not used
  int mount_namespace = -1;              // namespaces: the programs' root, joined by each program
  sandbox::RunMounts* mounts = nullptr;  // namespaces: the working folder's filesystem
  sandbox::StepLines root_lines;         // namespaces: the `enforced` lines of the root's steps
  // The run's private temporary folder (TMPDIR): /tmp of the root in namespaces mode, a folder beside
  // the working folder in tracked mode; empty for `run`.
  std::filesystem::path private_tmp;
};

// Runs one scenario in a fresh sandbox and returns what happened. Never throws for anything the
// student's programs do; a failure of the grader's own machinery comes back as outcome CrashedGrader.
run::ScenarioResult run_scenario(const config::ScenarioSpec& spec, const RunContext& context);

// Makes the calling process (the command line's) a child subreaper, so that a run's orphans come back
// to it; run_scenario() then reaps them after each scenario. A library caller that is not one keeps
// its own children to itself: nothing is reaped but the supervisor.
void become_subreaper();

// The part of run_scenario that runs inside the sandbox, in the supervisor process.
run::ScenarioResult supervise_scenario(const config::ScenarioSpec& spec, const RunContext& context,
                                       const Containment& containment);

}  // namespace ipcgrade::runner
