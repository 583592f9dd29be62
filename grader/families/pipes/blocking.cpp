// What a process blocked in read or write on a pipe or a FIFO waits for, and why it cannot come: the
// write ends still open, in whom, and what each of those processes is doing itself.
#include <sys/syscall.h>

#include <fmt/format.h>

#include "grader/families/family.hpp"

namespace ipcgrade::families::pipes {

namespace {

bool is_pipe_call(const trace::Event& e) {
  return e.is_call("pipe") || e.is_call("pipe2");
}

// The pipe() or pipe2() that made pipe `pipe`; null when the trace does not hold it.
const trace::Event* pipe_call(const trace::Trace& trace, long pipe) {
  for (const auto& e : trace.events) {
    if (is_pipe_call(e) && e.value("pipe") == pipe) return &e;
  }
  return nullptr;
}

// "shout.c:28" for the pipe() that made pipe `pipe`, or "pipe() #2" when the line is not known.
std::string pipe_origin(const trace::Trace& trace, long pipe) {
  const trace::Event* made = pipe_call(trace, pipe);
  return made && !made->at.empty() ? made->at : fmt::format("pipe() #{}", pipe);
}

// Whether process `pid` made pipe `pipe` itself after a fork, and the other process of that fork (its
// parent, or the child it forked) made a pipe of its own after it too: the two each wait on a pipe that
// nobody else can write, because pipe() came after fork(). A process that merely was forked (by a shell)
// and makes a pipe is not this case.
bool pipe_made_after_fork(const trace::Trace& trace, long pid, long pipe) {
  const trace::Event* made = pipe_call(trace, pipe);
  if (!made || made->pid != pid) return false;
  for (const auto& fork : trace.events) {
    if (fork.seq >= made->seq) break;
    if (fork.kind != trace::EventKind::Spawn) continue;
    const long other = fork.parent == pid ? fork.pid : fork.pid == pid ? fork.parent : 0;
    if (other == 0) continue;
    for (const auto& e : trace.events) {
      if (e.seq > fork.seq && e.pid == other && is_pipe_call(e)) return true;
    }
  }
  return false;
}

}  // namespace

bool waits_on_others(const Blocked& b) {
  const PipeEnd* end = b.end(b.args[0]);
  if (!end || !end->is_pipe()) return false;  // a file, a socket: alive
  return b.nr == SYS_read ? end->reads() : end->writes();
}

std::optional<Wait> wait(const Blocked& b, const trace::Trace& trace) {
  const PipeEnd* end = b.end(b.args[0]);
  if ((b.nr != SYS_read && b.nr != SYS_write) || !end) return std::nullopt;
  Wait w;
  w.first = true;
  w.call = b.nr == SYS_read ? "read" : "write";
  if (end->is_pipe()) w.object = trace::ObjectId::pipe(end->pipe);
  const bool fifo = end->kind == Opened::Fifo;
  if (b.nr == SYS_read) {
    w.state = fifo ? fmt::format("is blocked in read on FIFO {} (fd {})", end->name, b.args[0])
                   : fmt::format("is blocked in read on the pipe created at {} (fd {})",
                                 pipe_origin(trace, end->pipe), b.args[0]);
  } else {
    w.state = fifo ? fmt::format("is blocked in write on the full FIFO {} (fd {})", end->name, b.args[0])
                   : fmt::format("is blocked in write on the full pipe {} (fd {})", end->pipe, b.args[0]);
  }
  return w;
}

std::string why_stuck(const Blocked& b, std::span<const Blocked> all, const trace::Trace& trace) {
  const PipeEnd* reading = b.end(b.args[0]);
  if (b.nr != SYS_read || !reading) return {};
  if (reading->kind == Opened::Fifo && reading->both) {
    // Its own descriptor is a writer: the FIFO cannot reach end-of-file while it is open.
    return fmt::format(
        "; it opened {} O_RDWR, so it holds a write end itself and never sees end-of-file — open a FIFO "
        "O_RDONLY to read it",
        reading->name);
  }
  const long pipe = reading->pipe;
  std::vector<std::string> holders;
  bool self = false;
  for (const auto& other : all) {
    if (other.thread || !other.fds) continue;
    for (const auto& [fd, end] : *other.fds) {
      if (!end.is_pipe() || end.pipe != pipe || !end.writes()) continue;
      if (other.host_pid == b.host_pid) {
        holders.push_back(fmt::format("{} itself (fd {})", b.name, fd));
        self = true;
      } else {
        holders.push_back(fmt::format("{} (fd {}, which {})", other.who(), fd, wait_of(other, trace).state));
      }
    }
  }
  if (self && holders.size() == 1 && pipe_made_after_fork(trace, b.pid, pipe)) {
    // Closing would not help: the process is the pipe's only writer because it made the pipe after
    // fork, so the process it should hear from has a pipe of its own.
    return fmt::format(
        "; only {} itself holds its write end, because the pipe was created after the fork: each process "
        "made a pipe of its own — call pipe() before fork() so that both share one",
        b.name);
  }
  std::string list;
  for (size_t i = 0; i < holders.size(); ++i) {
    list += (i == 0 ? "" : i + 1 == holders.size() ? " and in " : ", in ") + holders[i];
  }
  return "; its write end is still open in " + list +
         (self ? " — close it before reading" : " — every process must close the write ends it does not use");
}

}  // namespace ipcgrade::families::pipes
