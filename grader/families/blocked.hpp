#pragma once
// A process of the run asleep in a system call, as the deadlock watchdog read it from /proc, and what
// the family of that call says it waits for. The watchdog decides that a run is stuck; each family
// says, in its own blocking.cpp, what one of its calls waits on and why that cannot come.
#include <sys/types.h>

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "grader/families/fd_table.hpp"
#include "grader/trace/object_id.hpp"
#include "grader/trace/trace.hpp"

namespace ipcgrade::families {

struct Blocked {
  pid_t host_pid = 0;
  long pid = 0;  // as the run sees it
  std::string name = {};
  bool thread = false;
  const FdTable* fds = nullptr;
  long nr = -1;  // the system call it sleeps in, and its arguments
  unsigned long long args[6] = {};

  std::string who() const;  // "server (pid 1000)"
  // The end of a pipe, FIFO or POSIX queue that descriptor `fd` refers to; null when it is not one.
  const PipeEnd* end(unsigned long long fd) const;
};

// What a blocked process waits for, as its call's family says it.
struct Wait {
  std::string call = {};               // as the student wrote it: "msgrcv", "mq_receive", "sem_wait"
  std::string state = {};              // "is blocked in msgrcv for type 2 on queue 0x…"
  trace::ObjectId object = {};         // what it waits on (None: no IPC object)
  bool first = false;                  // on a pipe, a queue or a FIFO: its sentence comes first
  std::vector<std::string> once = {};  // said once however many wait alike: who ended holding a semaphore
  std::string fifo_read_first = {};    // the FIFO it waits to open for reading (both sides doing so)
};

// Whether a process blocked in this call waits on another process of the run, for the calls whose row
// says it depends (a read of a pipe, not of a file; an open of a FIFO). True for every other call.
bool waits_on_others(const Blocked& b);
// What it waits for: its family's answer, or the process calls' (waitpid, pause, sigsuspend).
Wait wait_of(const Blocked& b, const trace::Trace& trace);
// Why what it waits for cannot come ("; no live process can send it"), from every blocked process.
std::string why_stuck(const Blocked& b, std::span<const Blocked> all, const trace::Trace& trace);

// Whether process `pid` has a child that has not ended, from the trace's spawn and exit events.
bool has_live_child(const trace::Trace& trace, long pid);

}  // namespace ipcgrade::families
