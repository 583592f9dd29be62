#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ipcgrade::trace {

// One thing the supervisor saw happen in the run: a process starting or exiting, or a call it made.
// The Trace is the contract between the supervisor and the checks; it can be written to and read from
// a file, so checks can be tested on hand-written traces with no process running.
struct Event {
  std::uint64_t seq = 0;
  std::string kind;     // "spawn", "exec", "exit", "call"
  long pid = 0;         // as the program sees it
  std::string process;  // the assignment's process name
  std::string call;     // "msgsnd", ... for kind == "call"
  std::map<std::string, std::string> args;
  long result = 0;
  int error = 0;  // errno when the call failed
};

struct Trace {
  std::vector<Event> events;
};

}  // namespace ipcgrade::trace
