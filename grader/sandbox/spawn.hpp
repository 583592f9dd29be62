#pragma once
#include <sys/ptrace.h>
#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "grader/config/assignment.hpp"
#include "grader/sandbox/landlock.hpp"
#include "grader/sandbox/run_cgroup.hpp"
#include "grader/sandbox/seccomp_filter.hpp"

namespace ipcgrade::sandbox {

// The ptrace options a program is seized with (the tracer follows every fork, clone and exec, stops at
// the seccomp filter's TRACE, and its death kills what it traces).
inline constexpr int kTraceOptions = PTRACE_O_TRACESECCOMP | PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK |
                                     PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC |
                                     PTRACE_O_EXITKILL;

struct SpawnRequest {
  std::vector<std::string> argv;
  std::filesystem::path cwd;
  std::string stdin_data;
  config::Limits limits;
  const SeccompFilter* filter = nullptr;  // set: the program runs traced (seized before its exec)
  bool inherit_stdio = false;             // `ipcgrade run`: the program uses the grader's terminal
  const RunCgroup* cgroup = nullptr;      // the run's cgroups, joined before the program runs
  // When set (the grader is root): the program runs as this uid and gid, with no supplementary groups
  // but `also_group` (an instructor's program: the run's group, to share the working folder with it).
  std::optional<uid_t> run_as;
  std::optional<gid_t> also_group;
  int mount_namespace = -1;  // the run's root (namespaces mode): joined before anything else
  // The program's whole environment ("NAME=value"); unset: the grader's own (`run`).
  std::optional<std::vector<std::string>> env;
  bool merge_stderr = false;  // stderr into the stdout pipe (the build's one log)
  // Root without a uid of the run's own (a user namespace of the grader's, a container without the
  // capabilities to manage another uid): the program runs as uid 0 with no capability at all.
  bool drop_capabilities = false;
  const Landlock* landlock = nullptr;  // the program's Landlock domain, entered before exec
  // A schedule perturbation's placement: the one CPU the program and its children run on (-1: any),
  // and how much lower its priority is (a nice increment: raising it needs no privilege).
  int cpu = -1;
  int nice = 0;
  // The supervisor shortened its own time slice (to read the observer's ring in time): the program
  // gets the default back, so that it is scheduled as it would be without the grader.
  bool default_slice = false;
};

struct Spawned {
  pid_t pid = -1;       // as the supervisor sees it
  pid_t inner_pid = 0;  // as the program sees itself (its PID namespace)
  int stdout_fd = -1;   // read ends, non-blocking, owned by the caller
  int stderr_fd = -1;
  std::string error;  // set when the program could not be started (then pid is -1)
};

// Starts one student program: stdin from `stdin_data`, stdout and stderr into pipes, the working
// directory and resource limits applied, then exec (PATH is searched for names without a '/').
// With a filter, the child waits until the caller has seized it with ptrace (kTraceOptions),
// installs the seccomp filter and execs: its first stop is the exec event.
Spawned spawn(const SpawnRequest& request);

// What /proc/PID/status says of a process: its thread group, parent, and the pid it sees for itself
// (the last NSpid field; `pid` when unknown).
struct ProcStatus {
  pid_t tgid = 0, ppid = 0, inner = 0;
};
ProcStatus read_proc_status(pid_t pid);

}  // namespace ipcgrade::sandbox
