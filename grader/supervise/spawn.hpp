#pragma once
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "grader/config/assignment.hpp"

namespace ipcgrade::supervise {

struct SpawnRequest {
  std::vector<std::string> argv;
  std::filesystem::path cwd;
  std::string stdin_data;
  config::Limits limits;
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
Spawned spawn(const SpawnRequest& request);

// The pid a process sees for itself, from the NSpid line of /proc/PID/status; `pid` if unknown.
pid_t inner_pid_of(pid_t pid);

}  // namespace ipcgrade::supervise
