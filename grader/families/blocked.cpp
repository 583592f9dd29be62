// Asking a blocked call's family what it waits for; the calls of no IPC family (waitpid, pause,
// sigsuspend) are answered here.
#include "grader/families/blocked.hpp"

#include <sys/syscall.h>

#include <set>

#include <fmt/format.h>

#include "grader/families/family.hpp"
#include "grader/util/text.hpp"

namespace ipcgrade::families {

namespace {

const Family* family_of_nr(long nr) {
  const trace::CallRow* row = trace::call_row(static_cast<int>(nr));
  return row ? family_of(row->family) : nullptr;
}

}  // namespace

std::string Blocked::who() const {
  return util::process_label(name, pid);
}

const PipeEnd* Blocked::end(unsigned long long fd) const {
  if (!fds) return nullptr;
  const auto it = fds->find(static_cast<int>(fd));
  return it == fds->end() ? nullptr : &it->second;
}

bool waits_on_others(const Blocked& b) {
  const trace::CallRow* row = trace::call_row(static_cast<int>(b.nr));
  if (!row) return false;
  switch (row->blocks) {
    case trace::Blocks::Never:
      return false;
    case trace::Blocks::Always:
      return true;
    case trace::Blocks::WithoutTimeout:
      return b.args[row->timeout_arg] == 0;
    case trace::Blocks::PipeRead:
    case trace::Blocks::PipeWrite:
    case trace::Blocks::FifoOpen: {
      const Family* family = family_of(row->family);
      return family && family->waits_on_others(b);
    }
  }
  return false;
}

Wait wait_of(const Blocked& b, const trace::Trace& trace) {
  if (const Family* family = family_of_nr(b.nr)) {
    if (auto w = family->wait(b, trace)) return *w;
  }
  const trace::CallRow* row = trace::call_row(static_cast<int>(b.nr));
  Wait w;
  w.call = row ? std::string(row->name) : "syscall " + std::to_string(b.nr);
  if (b.nr == SYS_wait4 || b.nr == SYS_waitid) {
    w.state = "waits in waitpid for a child";
  } else {
    // A shell's `wait` sleeps in sigsuspend until SIGCHLD: it waits for its children, not for a signal
    // the student has to send.
    w.state = b.nr == SYS_rt_sigsuspend && has_live_child(trace, b.pid) ? "waits for its children"
                                                                        : "waits for a signal";
  }
  return w;
}

std::string why_stuck(const Blocked& b, std::span<const Blocked> all, const trace::Trace& trace) {
  const Family* family = family_of_nr(b.nr);
  return family ? family->why_stuck(b, all, trace) : std::string();
}

bool has_live_child(const trace::Trace& trace, long pid) {
  std::set<long> children;
  for (const auto& e : trace.events) {
    if (e.kind == trace::EventKind::Spawn && e.parent == pid) children.insert(e.pid);
    if (e.kind == trace::EventKind::Exit) children.erase(e.pid);
  }
  return !children.empty();
}

}  // namespace ipcgrade::families
