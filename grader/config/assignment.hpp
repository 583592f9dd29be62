#pragma once
#include <sys/types.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "grader/config/params.hpp"

namespace ipcgrade::config {

using Millis = std::chrono::milliseconds;

enum class Visibility { Visible, Hidden };
// "visible" | "hidden": how assignment files, results and reports spell it.
std::string to_string(Visibility visibility);

// Which tracer follows a run's calls: the BPF observer where the grader may load it and the scenario
// needs nothing only ptrace can do (auto), or always ptrace. See docs/tracing.md.
enum class TracerChoice { Auto, Bpf, Ptrace };

// "auto", "bpf" or "ptrace"; nullopt for anything else.
std::optional<TracerChoice> tracer_choice(const std::string& text);

struct Limits {
  Millis wall{10000};
  Millis cpu{5000};
  std::uint64_t memory = 256ULL << 20;
  int processes = 64;
  std::uint64_t output = 64ULL << 10;
  std::uint64_t file_size = 16ULL << 20;    // largest file a process may write (RLIMIT_FSIZE)
  int open_files = 256;                     // descriptors per process (RLIMIT_NOFILE)
  std::uint64_t disk = 256ULL << 20;        // the working folder's filesystem: copy + what the run writes
  std::uint64_t submission = 64ULL << 20;   // largest submission copied (apparent size); larger is refused
  int trace_events = 100000;                // distinct calls the trace keeps per scenario
  std::uint64_t trace_bytes = 64ULL << 20;  // ... and the memory they may take (decoded arguments included)
  // Children still running when every runner-started process has ended get this long to finish.
  Millis orphan_grace{1000};
  TracerChoice tracer = TracerChoice::Auto;  // `tracer:` (`--tracer` overrides it)
};

// How the grader ends a process it has to stop (wall limit, deadlock, end of the scenario): this signal
// first, then SIGKILL after `grace` if the process is still there, so that a handler can clean up.
struct StopSpec {
  int signal = 15;  // SIGTERM
  Millis grace{500};
  // Written in the assignment: the instructor expects the program to end on this signal within the
  // grace, so what it leaves then is judged (see judge_after_stop). The default is only a courtesy.
  bool given = false;
};

// When the runner may start the process that follows this one.
struct Ready {
  enum class Kind { AtOnce, Ipc, Exit, Stdout, Delay, Path };
  Kind kind = Kind::AtOnce;
  std::string pattern;  // Kind::Stdout: a regular expression matched against each line
  std::string path;     // Kind::Path: a file or FIFO that exists once the process is ready (relative to
                        // the working folder; placeholders expanded)
  Millis delay{0};      // Kind::Delay
};

struct ProcessSpec {
  std::string name;
  std::vector<std::string> argv;  // unexpanded: placeholders are filled in by the runner
  int count = 1;
  std::optional<std::string> stdin_text;
  std::optional<std::filesystem::path> stdin_file;  // absolute; contents are expanded too
  Ready ready;
  StopSpec stop;
};

// A `signals:` step: send `signal` to every process named `to` once `after` has happened.
struct SignalStep {
  enum class After { Exit, Ready, Delay };
  std::string to;
  int signal = 2;  // SIGINT
  After after = After::Exit;
  std::string process;  // After::Exit: every process of this name exited; After::Ready: it became ready
  Millis delay{0};      // After::Delay: this long after the scenario started
};

struct ScenarioSpec {
  std::string name;
  Visibility visibility = Visibility::Visible;
  std::vector<ProcessSpec> processes;
  std::vector<SignalStep> signals;
  Limits limits;
  int runs = 1;  // how many times it runs, each under a seeded schedule perturbation (when above 1)
};

// In how many of a scenario's runs a check must hold.
enum class RunsRule { All, Majority, Any };
std::string to_string(RunsRule rule);

// What the build may use; the rest of its limits follow from these and the timeout.
struct BuildLimits {
  std::uint64_t memory = 1ULL << 30;
  int processes = 128;
  std::uint64_t disk = 512ULL << 20;
};

struct BuildSpec {
  std::string command;
  Millis timeout{60000};
  BuildLimits limits;
};

struct KeysSpec {
  int count = 1;
  std::optional<key_t> base;
  std::optional<std::filesystem::path> roster;  // absolute
};

struct CheckSpec {
  std::string name;
  std::string type;
  double points = 0;
  std::vector<std::string> scenarios;  // empty: every scenario
  std::optional<std::string> process;  // empty: every process
  // The check's mapping as written, positions included: its type (checks/) reads its own parameters
  // from it, so that config need not know the check types (see checks::make_checks).
  std::optional<ParamReader> params;
  RunsRule runs = RunsRule::All;  // a scenario that runs several times: in how many the check must hold
  // A usage check that finds nothing to judge (no semget at all, for sem-usage) fails, unless optional:
  // then it passes and says so.
  bool optional = false;
  // A part of a check over visible and hidden scenarios (score/parts.hpp): its share of the check's
  // points, by which per-offence deductions (`per_violation`, `per_object`) scale too.
  double share = 1;

  // Whether the check judges the scenario of that name (no `scenarios:` list: every scenario).
  bool covers(const std::string& scenario) const {
    return scenarios.empty() || std::find(scenarios.begin(), scenarios.end(), scenario) != scenarios.end();
  }
};

struct Assignment {
  std::filesystem::path file;  // absolute path of assignment.yaml
  std::filesystem::path dir;   // its folder: {assignment}
  std::string id;
  std::string title;
  std::optional<BuildSpec> build;
  KeysSpec keys;
  bool uses_keys = true;  // false for an assignment that never names an IPC key (pipes only)
  // Points of checks this file does not hold: a student kit's hidden checks, given as one number so that
  // `check` can say how much of the grade it cannot see.
  double hidden_points = 0;
  Limits limits;
  std::vector<ScenarioSpec> scenarios;
  std::vector<CheckSpec> checks;
  // Instructor files (relative to `dir`) copied into the working folder after the build, at the same
  // relative path: the sandbox shows the programs nothing of the assignment folder.
  std::vector<std::string> files;
  // Those of `files` only the instructor's programs may read (all but those marked `private: false`):
  // where the run has a uid of its own, they belong to another uid the instructor's programs run as.
  std::vector<std::string> private_files;
  // Added to the clean environment of the build and the programs.
  std::vector<std::pair<std::string, std::string>> env;

  const ScenarioSpec* scenario(const std::string& name) const;
  // Whether `check` (and the student kit) judges `check`: it covers a visible scenario that runs its
  // `process:`, when it names one. The others judge only what students cannot run.
  bool shown_in_check(const CheckSpec& check) const;
  // Hidden when the check covers a hidden scenario (Gradescope shows it once grades are published).
  Visibility visibility_of(const CheckSpec& check) const;
};

// Reads and validates an assignment. ASSIGNMENT is a file or a folder holding assignment.yaml.
// Throws ConfigError with "FILE:LINE:COLUMN: message" for anything wrong. Each check's type and
// parameters are kept as written: checks::load_assignment reads the file and checks them too.
Assignment load_assignment(const std::filesystem::path& path);

}  // namespace ipcgrade::config
