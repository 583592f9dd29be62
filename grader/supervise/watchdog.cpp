#include "grader/supervise/watchdog.hpp"

#include "grader/supervise/tracee_memory.hpp"
#include "grader/trace/calls.hpp"
#include "grader/trace/sem_holds.hpp"
#include "grader/trace/spelling.hpp"
#include "grader/util/procfs.hpp"
#include "grader/util/signals.hpp"
#include "grader/util/text.hpp"

#include <fcntl.h>
#include <limits.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <sstream>
#include <vector>

namespace ipcgrade::supervise {

namespace {

// A blocked process, as /proc shows it.
struct Blocked {
  const Tracer::Live* proc;
  long nr = -1;
  unsigned long long args[6] = {};
  std::string fingerprint;  // changes whenever the process makes progress
};

// Reads state, CPU time and the current system call of a process; nullopt when it is not asleep
// in a system call (running, in the disk wait, stopped, gone).
std::optional<Blocked> read_blocked(const Tracer::Live& p) {
  const std::string pid = std::to_string(p.host_pid);
  const std::vector<std::string> stat = util::proc_stat_fields(pid);
  // state (field 3) ... utime and stime (fields 14 and 15)
  if (stat.size() < 13 || stat[0] != "S") return std::nullopt;
  std::istringstream sc(util::read_proc_file("/proc/" + pid + "/syscall"));
  Blocked b{&p, -1, {}, {}};
  if (!(sc >> b.nr) || b.nr < 0) return std::nullopt;
  for (auto& a : b.args) {
    std::string hex;
    sc >> hex;
    a = std::strtoull(hex.c_str(), nullptr, 16);
  }
  const auto status = util::proc_status(pid);
  const auto switches = status.find("voluntary_ctxt_switches");
  b.fingerprint = fmt::format("{}|{}|{}|{}|{}|{}", b.nr, b.args[0], b.args[1], stat[11], stat[12],
                              switches == status.end() ? std::string() : switches->second);
  return b;
}

const PipeEnd* pipe_end(const Tracer::Live& p, unsigned long long fd) {
  auto it = p.fds->find(static_cast<int>(fd));
  return it == p.fds->end() ? nullptr : &it->second;
}

// A process asleep in open() of a FIFO: the path as it wrote it and whether it opens for writing.
struct FifoOpen {
  std::string path;
  bool write = false;
};
std::optional<FifoOpen> fifo_open(const Blocked& b) {
  const bool at = b.nr == SYS_openat;
  if (!at && b.nr != SYS_open) return std::nullopt;
  const ProcessMemory memory(b.proc->host_pid);
  std::string path = memory.read(b.args[at ? 1 : 0], PATH_MAX);
  path.resize(std::min(path.size(), path.find('\0')));
  const int dirfd = at ? static_cast<int>(b.args[0]) : AT_FDCWD;
  const auto file = memory.file_at(dirfd, path);
  if (!file || !S_ISFIFO(file->mode)) return std::nullopt;
  const auto flags = b.args[at ? 2 : 1];
  if (flags & O_NONBLOCK) return std::nullopt;
  return FifoOpen{util::escape_controls(path), (flags & O_ACCMODE) == O_WRONLY};
}

// Whether the call `b` is blocked in can only be ended by another process of the run: the call
// table's Blocks column. Sleeping with a timeout, polling, reading a file or a socket: alive.
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
    case trace::Blocks::PipeRead: {
      const PipeEnd* end = pipe_end(*b.proc, b.args[0]);
      return end && end->is_pipe() && end->reads();
    }
    case trace::Blocks::PipeWrite: {
      const PipeEnd* end = pipe_end(*b.proc, b.args[0]);
      return end && end->is_pipe() && end->writes();
    }
    case trace::Blocks::FifoOpen:
      return fifo_open(b).has_value();
  }
  return false;
}

std::string who(const Tracer::Live& p) {
  return util::process_label(p.name, p.pid);
}

// The key of a queue id, from the msgget that returned it.
std::string queue_name(const trace::Trace& trace, long id) {
  for (auto it = trace.events.rbegin(); it != trace.events.rend(); ++it) {
    if (it->is_call("msgget") && it->result && *it->result == id) return trace::key_name(it->value("key"));
  }
  return fmt::format("id {}", id);
}

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

// Whether process `pid` has a child that has not ended, from the trace's spawn and exit events.
bool has_live_child(const trace::Trace& trace, long pid) {
  std::set<long> children;
  for (const auto& e : trace.events) {
    if (e.kind == trace::EventKind::Spawn && e.parent == pid) children.insert(e.pid);
    if (e.kind == trace::EventKind::Exit) children.erase(e.pid);
  }
  return !children.empty();
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

// The processes that ended holding semaphore `num` of set `id`: they took more from it (P without
// SEM_UNDO) than they gave back, and the kernel gives back only what SEM_UNDO recorded. One sentence
// each, or empty.
std::string dead_holders(const trace::Trace& trace, int id, int num, const std::string& set) {
  std::string out;
  for (const auto& h : trace::dead_holds(trace)) {
    if (h.semid != id || h.num != num) continue;
    const trace::Event& exit = *h.exit;
    // A crash of its own (abort(), a bad pointer), another process's kill, or an exit.
    const std::string how = exit.values.count("crash")
                                ? "crashed (" + util::signal_name(static_cast<int>(exit.value("crash"))) + ")"
                            : exit.values.count("signal")
                                ? "was killed by " + util::signal_name(static_cast<int>(exit.value("signal")))
                                : std::string("ended");
    out += fmt::format(
        "; {} {} holding semaphore {} of {} (P{} without V; no SEM_UNDO, so the kernel did not give it back "
        "— with SEM_UNDO it would have)",
        util::process_label(exit.process, exit.pid), how, num, set,
        h.last_p->at.empty() ? std::string() : " at " + h.last_p->at);
  }
  return out;
}

// "set key 0x00005000 (id 3)", from the semget that returned the id; "set 3" when the trace lacks it.
std::string sem_set_name(const trace::Trace& trace, int id) {
  for (auto it = trace.events.rbegin(); it != trace.events.rend(); ++it) {
    if (it->is_call("semget") && it->result && *it->result == id)
      return fmt::format("set key {} (id {})", trace::key_name(it->value("key")), id);
  }
  return fmt::format("set {}", id);
}

// The operations of the semop a process is blocked in, read from its memory.
std::vector<sembuf> blocked_sem_ops(const Blocked& b) {
  const size_t n = std::min<size_t>(b.args[2], trace::kMaxSemOps);
  const std::string bytes = read_tracee(b.proc->host_pid, b.args[1], n * sizeof(sembuf));
  std::vector<sembuf> ops(bytes.size() / sizeof(sembuf));
  if (!ops.empty()) std::memcpy(ops.data(), bytes.data(), ops.size() * sizeof(sembuf));
  return ops;
}

// The dead holders of each semaphore a blocked semop waits to take from.
std::vector<std::string> semop_dead_holders(const Blocked& b, const trace::Trace& trace) {
  std::vector<std::string> out;
  const int id = static_cast<int>(b.args[0]);
  const std::string set = sem_set_name(trace, id);
  for (const sembuf& op : blocked_sem_ops(b)) {
    if (op.sem_op >= 0) continue;
    const std::string held = dead_holders(trace, id, op.sem_num, set);
    if (!held.empty()) out.push_back(held);
  }
  return out;
}

// What a process blocked in semop waits for: the operation that cannot proceed (read from its memory),
// and the semaphore's value now (the supervisor shares the run's IPC namespace).
std::string semop_state(const Blocked& b, const trace::Trace& trace) {
  const int id = static_cast<int>(b.args[0]);
  const std::string set = sem_set_name(trace, id);
  for (const sembuf& op : blocked_sem_ops(b)) {
    const int value = ::semctl(id, op.sem_num, GETVAL);
    if (value < 0) continue;
    if (op.sem_op < 0 && value < -op.sem_op) {
      return fmt::format(
          "waits in semop to take {} from semaphore {} of {} (value {}); no live process will "
          "increase it",
          -op.sem_op, op.sem_num, set, value);
    }
    if (op.sem_op == 0 && value != 0) {
      return fmt::format(
          "waits in semop for semaphore {} of {} to reach 0 (value {}); no live process will "
          "decrease it",
          op.sem_num, set, value);
    }
  }
  return "is blocked in semop on semaphore " + set;
}

// What a process waiting on a futex in shared memory waits for: a POSIX named semaphore (glibc maps
// /dev/shm/sem.NAME, and sem_wait sleeps on the word that holds its value) or something in a POSIX
// shared-memory object (an unnamed semaphore or a lock in it). Found from the mapping that holds the
// futex's address; nullopt for a futex in private memory (a thread's mutex or join).
struct SharedFutex {
  std::string name;
  bool semaphore = false;
  std::optional<std::uint32_t> value;  // a semaphore's value, read where it sleeps
};
std::optional<SharedFutex> shared_futex(const Blocked& b, const trace::Trace& trace) {
  const std::uint64_t address = b.args[0];
  std::istringstream maps(util::read_proc_file("/proc/" + std::to_string(b.proc->host_pid) + "/maps"));
  std::string line;
  while (std::getline(maps, line)) {
    // start-end perms offset dev inode path
    std::istringstream fields(line);
    std::string range, perms, offset, dev, inode, path;
    fields >> range >> perms >> offset >> dev >> inode;
    std::getline(fields >> std::ws, path);
    const auto dash = range.find('-');
    if (dash == std::string::npos) continue;
    const std::uint64_t start = std::strtoull(range.substr(0, dash).c_str(), nullptr, 16);
    const std::uint64_t end = std::strtoull(range.substr(dash + 1).c_str(), nullptr, 16);
    if (address < start || address >= end) continue;
    const std::string shm = "/dev/shm/";
    if (path.rfind(shm, 0) != 0) return std::nullopt;
    SharedFutex f;
    std::string file = path.substr(shm.size());
    if (const auto deleted = file.rfind(" (deleted)"); deleted != std::string::npos) file.resize(deleted);
    f.semaphore = file.rfind("sem.", 0) == 0;
    f.name = "/" + util::escape_controls(f.semaphore ? file.substr(4) : file);
    // glibc maps a new semaphore's temporary file before it links the name, then unlinks the
    // temporary: the mapping names the temporary; the sem_open that made the name has its inode.
    const long long ino = std::strtoll(inode.c_str(), nullptr, 10);
    for (const auto& e : trace.events) {
      if (f.semaphore && e.is_call("sem_open") && e.value("ino") == ino && e.texts.count("name"))
        f.name = e.texts.at("name");
    }
    if (f.semaphore) {
      if (auto word = read_tracee_value<std::uint32_t>(b.proc->host_pid, address)) f.value = *word;
    }
    return f;
  }
  return std::nullopt;
}

// A POSIX queue by the name its descriptor was opened with.
std::string posix_queue(const Blocked& b) {
  const PipeEnd* end = pipe_end(*b.proc, b.args[0]);
  return end && end->kind == Opened::Queue ? end->name : fmt::format("(descriptor {})", b.args[0]);
}

std::string short_state(const Blocked& b, const trace::Trace& trace) {
  switch (b.nr) {
    case SYS_read: {
      const PipeEnd* end = pipe_end(*b.proc, b.args[0]);
      if (end->kind == Opened::Fifo)
        return fmt::format("is blocked in read on FIFO {} (fd {})", end->name, b.args[0]);
      return fmt::format("is blocked in read on the pipe created at {} (fd {})",
                         pipe_origin(trace, end->pipe), b.args[0]);
    }
    case SYS_write: {
      const PipeEnd* end = pipe_end(*b.proc, b.args[0]);
      if (end->kind == Opened::Fifo)
        return fmt::format("is blocked in write on the full FIFO {} (fd {})", end->name, b.args[0]);
      return fmt::format("is blocked in write on the full pipe {} (fd {})", end->pipe, b.args[0]);
    }
    case SYS_open:
    case SYS_openat: {
      const auto fifo = fifo_open(b);
      if (!fifo) return "is blocked in open";
      return fifo->write ? fmt::format("waits in open(\"{}\", O_WRONLY) for a process to open it for reading",
                                       fifo->path)
                         : fmt::format("waits in open(\"{}\", O_RDONLY) for a process to open it for writing",
                                       fifo->path);
    }
    case SYS_mq_timedreceive:
      return fmt::format("is blocked in mq_receive on the empty queue {}", posix_queue(b));
    case SYS_mq_timedsend:
      return fmt::format("is blocked in mq_send on the full queue {}", posix_queue(b));
    case SYS_msgrcv: {
      const long type = static_cast<long>(b.args[3]);
      return fmt::format("is blocked in msgrcv for {} on queue {}",
                         type == 0 ? std::string("any message") : fmt::format("type {}", type),
                         queue_name(trace, static_cast<long>(b.args[0])));
    }
    case SYS_msgsnd:
      return fmt::format("is blocked in msgsnd on the full queue {}",
                         queue_name(trace, static_cast<long>(b.args[0])));
    case SYS_semop:
    case SYS_semtimedop:
      return semop_state(b, trace);
    case SYS_wait4:
    case SYS_waitid:
      return "waits in waitpid for a child";
    case SYS_futex: {
      const auto shared = shared_futex(b, trace);
      if (!shared) return "waits for another thread";
      if (!shared->semaphore)
        return fmt::format("waits on a semaphore or lock in shared memory {}", shared->name);
      return fmt::format("waits in sem_wait on named semaphore {}{}", shared->name,
                         shared->value ? fmt::format(" (value {})", *shared->value) : std::string());
    }
    default:
      // A shell's `wait` sleeps in sigsuspend until SIGCHLD: it waits for its children, not for a signal
      // the student has to send.
      return b.nr == SYS_rt_sigsuspend && has_live_child(trace, b.proc->pid) ? "waits for its children"
                                                                             : "waits for a signal";
  }
}

// One sentence per blocked process that says what it waits for and why that cannot come.
std::string explain(const Blocked& b, const std::vector<Blocked>& all, const trace::Trace& trace) {
  std::string text = who(*b.proc) + " " + short_state(b, trace);
  if (b.nr == SYS_read) {
    const long pipe = pipe_end(*b.proc, b.args[0])->pipe;
    std::vector<std::string> holders;
    bool self = false;
    const PipeEnd* reading = pipe_end(*b.proc, b.args[0]);
    if (reading->kind == Opened::Fifo && reading->both) {
      // Its own descriptor is a writer: the FIFO cannot reach end-of-file while it is open.
      return text + fmt::format(
                        "; it opened {} O_RDWR, so it holds a write end itself and never sees "
                        "end-of-file — open a FIFO O_RDONLY to read it",
                        reading->name);
    }
    for (const auto& other : all) {
      if (other.proc->thread) continue;
      for (const auto& [fd, end] : *other.proc->fds) {
        if (!end.is_pipe() || end.pipe != pipe || !end.writes()) continue;
        if (other.proc == b.proc) {
          holders.push_back(fmt::format("{} itself (fd {})", b.proc->name, fd));
          self = true;
        } else {
          holders.push_back(
              fmt::format("{} (fd {}, which {})", who(*other.proc), fd, short_state(other, trace)));
        }
      }
    }
    std::string list;
    for (size_t i = 0; i < holders.size(); ++i) {
      list += (i == 0 ? "" : i + 1 == holders.size() ? " and in " : ", in ") + holders[i];
    }
    if (self && holders.size() == 1 && pipe_made_after_fork(trace, b.proc->pid, pipe)) {
      // Closing would not help: the process is the pipe's only writer because it made the pipe after
      // fork, so the process it should hear from has a pipe of its own.
      text += fmt::format(
          "; only {} itself holds its write end, because the pipe was created after the fork: each process "
          "made a pipe of its own — call pipe() before fork() so that both share one",
          b.proc->name);
      return text;
    }
    text += "; its write end is still open in " + list;
    text +=
        self ? " — close it before reading" : " — every process must close the write ends it does not use";
  } else if (b.nr == SYS_msgrcv || b.nr == SYS_msgsnd) {
    text += b.nr == SYS_msgrcv ? "; no live process can send it" : "; no live process will receive";
  } else if (b.nr == SYS_mq_timedreceive || b.nr == SYS_mq_timedsend) {
    text +=
        b.nr == SYS_mq_timedreceive ? "; no live process will send to it" : "; no live process will receive";
  } else if (fifo_open(b)) {
    text += "; no live process will";
  } else if (b.nr == SYS_futex) {
    if (const auto shared = shared_futex(b, trace); shared && shared->semaphore)
      text += "; no live process will post it";
  }
  return text;
}

// The call a process is blocked in, as the student wrote it.
std::string call_name(const Blocked& b, const trace::Trace& trace) {
  if ((b.nr == SYS_mq_timedreceive || b.nr == SYS_mq_timedsend) && b.args[4] == 0)
    return b.nr == SYS_mq_timedreceive ? "mq_receive" : "mq_send";
  if (b.nr == SYS_futex) {
    const auto shared = shared_futex(b, trace);
    return shared && shared->semaphore ? "sem_wait" : "futex";
  }
  if (b.nr == SYS_semtimedop && b.args[3] == 0) return "semop";
  const trace::CallRow* row = trace::call_row(static_cast<int>(b.nr));
  return row ? std::string(row->name) : "syscall " + std::to_string(b.nr);
}

// The IPC object a blocked call waits on, in the pictures' terms.
std::string object_of(const Blocked& b, const trace::Trace& trace) {
  switch (b.nr) {
    case SYS_futex: {
      const auto shared = shared_futex(b, trace);
      return !shared ? std::string() : (shared->semaphore ? "posix-sem:" : "posix-shm:") + shared->name;
    }
    case SYS_read:
    case SYS_write: {
      const PipeEnd* end = pipe_end(*b.proc, b.args[0]);
      return end && end->is_pipe() ? fmt::format("pipe:{}", end->pipe) : std::string();
    }
    case SYS_msgrcv:
    case SYS_msgsnd:
      return fmt::format("msg:{}", static_cast<int>(b.args[0]));
    case SYS_semop:
    case SYS_semtimedop:
      return fmt::format("sem:{}", static_cast<int>(b.args[0]));
    case SYS_mq_timedreceive:
    case SYS_mq_timedsend: {
      const PipeEnd* end = pipe_end(*b.proc, b.args[0]);
      return end && end->kind == Opened::Queue ? "posix-mq:" + end->name : std::string();
    }
    case SYS_open:
    case SYS_openat:
      if (const auto fifo = fifo_open(b)) return "fifo:" + fifo->path;
      return {};
    default:
      return {};
  }
}

}  // namespace

std::optional<std::string> Watchdog::sample(const Tracer& tracer) {
  const auto live = tracer.live();
  std::vector<Blocked> blocked;
  std::map<pid_t, std::string> seen;
  bool stuck = !live.empty();
  for (const auto& p : live) {
    auto b = read_blocked(p);
    if (!b || p.timer_pending || !waits_on_others(*b)) {
      stuck = false;
      break;
    }
    // pause and sigwait wait for a signal whatever the children do; a shell's sigsuspend waits for its
    // children (SIGCHLD).
    if (terminal_ && (b->nr == SYS_pause || b->nr == SYS_rt_sigtimedwait ||
                      (b->nr == SYS_rt_sigsuspend && !has_live_child(tracer.trace(), p.pid)))) {
      if (!p.thread && !signal_wait_) signal_wait_ = who(p);
      stuck = false;
      break;
    }
    seen[p.host_pid] = b->fingerprint;
    blocked.push_back(*b);
  }
  const size_t events = tracer.trace().events.size();
  const bool unchanged = stuck && seen == previous_ && events == previous_events_;
  previous_ = stuck ? seen : std::map<pid_t, std::string>{};
  previous_events_ = events;
  if (!unchanged) return std::nullopt;
  // Those blocked on a pipe or a queue first: theirs is the explanation a student needs.
  std::stable_sort(blocked.begin(), blocked.end(), [](const Blocked& a, const Blocked& b) {
    auto rank = [](long nr) {
      return nr == SYS_read || nr == SYS_write || nr == SYS_msgrcv || nr == SYS_msgsnd || nr == SYS_open ||
                     nr == SYS_openat || nr == SYS_mq_timedreceive || nr == SYS_mq_timedsend
                 ? 0
                 : 1;
    };
    return rank(a.nr) < rank(b.nr);
  });
  std::string explanation;
  std::set<std::string> read_first;  // FIFOs opened for reading by processes that wait for a writer
  blocked_.clear();
  for (const auto& b : blocked) {
    if (b.proc->thread) continue;
    blocked_.push_back({b.proc->pid, call_name(b, tracer.trace()), object_of(b, tracer.trace())});
    explanation += (explanation.empty() ? "" : "; ") + explain(b, blocked, tracer.trace());
    if (const auto fifo = fifo_open(b); fifo && !fifo->write) read_first.insert(fifo->path);
  }
  // Who ended holding what the blocked semops wait for: once each, however many wait on it.
  std::set<std::string> holders_named;
  for (const auto& b : blocked) {
    if (b.proc->thread || (b.nr != SYS_semop && b.nr != SYS_semtimedop)) continue;
    for (const std::string& sentence : semop_dead_holders(b, tracer.trace())) {
      if (holders_named.insert(sentence).second) explanation += sentence;
    }
  }
  if (read_first.size() > 1) {
    // Each side waits at its first open for the other's second one.
    explanation +=
        " — both sides open a FIFO for reading first: open the FIFOs in the same order in both "
        "programs (or open one for writing first)";
  }
  return explanation + ".";
}

}  // namespace ipcgrade::supervise
