#pragma once
#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "grader/config/assignment.hpp"

namespace ipcgrade::cli {

constexpr int kExitPassed = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kExitInternal = 3;

struct GradeArgs {
  std::string assignment;
  std::string submission;
  std::string student;
  std::string report;
  std::string trace;
  std::string gradescope;
  std::string junit;
  std::string html;
  std::string markdown;
  bool json = false;
  std::string isolation = "auto";
  std::string tracer;  // empty: each scenario's `tracer:` (auto by default)
  int runs = 0;        // 0: each scenario's own `runs`
  std::string seed;    // empty: drawn
};

struct CheckArgs {
  std::string assignment;
  std::string submission = ".";
  std::string junit;
  std::string html;
  std::string markdown;
  int runs = 0;
  std::string seed;
  std::string isolation = "auto";
  std::string tracer;
};

struct KitArgs {
  std::string assignment;
  std::string out;
  std::string image = "ipcgrade:latest";
};

struct BatchArgs {
  std::string assignment;
  std::string submissions;
  std::string out;
  int jobs = 0;  // 0: one per core
  std::string shard;
  bool resume = false;
  bool force = false;
  bool gradescope = false;
  bool junit = false;
  std::string isolation = "auto";
  std::string tracer;
  int runs = 0;
  std::string seed;
};

struct MergeArgs {
  std::string out;
  std::vector<std::string> shards;
};

struct RunArgs {
  std::vector<std::string> keys;
  std::string timeout;
  std::string trace;
  std::string html;
  std::string markdown;
  std::vector<std::string> command;
  std::string isolation = "auto";
  std::string tracer;
};

// --isolation auto|namespaces|tracked, the same on every command that runs student programs.
void add_isolation_option(CLI::App* cmd, std::string& isolation);
// --tracer auto|bpf|ptrace, the same on every command that runs student programs; and its value, or
// nullopt when not given. `bpf` where this grader cannot load the observer is a ConfigError (exit 2).
void add_tracer_option(CLI::App* cmd, std::string& tracer);
std::optional<config::TracerChoice> parse_tracer(const std::string& tracer);
// --runs N and --seed S, the same on grade, check and batch; `seed` parsed (a ConfigError when it is not
// a whole number).
void add_schedule_options(CLI::App* cmd, int& runs, std::string& seed);
std::optional<std::uint64_t> parse_seed(const std::string& seed);

struct AuditArgs {
  std::string key;
  std::string key_range;
  std::string user;
  bool reclaim = false;
  bool json = false;
};

void add_audit_command(CLI::App& app, AuditArgs& args);
int run_audit(const AuditArgs& args);
void add_grade_command(CLI::App& app, GradeArgs& args);
void add_run_command(CLI::App& app, RunArgs& args);
int run_run(const RunArgs& args);
int run_grade(const GradeArgs& args);
int run_validate(const std::string& assignment);
void add_check_command(CLI::App& app, CheckArgs& args);
int run_check(const CheckArgs& args);
void add_batch_command(CLI::App& app, BatchArgs& args);
void add_kit_command(CLI::App& app, KitArgs& args);
int run_kit(const KitArgs& args);
int run_batch(const BatchArgs& args);
// `ipcgrade grade-worker` (not in --help): one student of a batch, its orders on stdin (batch/worker.hpp).
int run_grade_worker();
void add_merge_command(CLI::App& app, MergeArgs& args);
int run_merge(const MergeArgs& args);

}  // namespace ipcgrade::cli
