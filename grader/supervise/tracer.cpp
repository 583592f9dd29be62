#include "grader/supervise/tracer.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <sys/syscall.h>

#include <sys/ipc.h>
#include <algorithm>

#include "grader/families/decoders.hpp"
#include "grader/families/tracee_memory.hpp"
#include "grader/supervise/message_structs.hpp"
#include "grader/supervise/spawn.hpp"
#include "grader/supervise/tracer_state.hpp"
#include "grader/trace/ipc_kind.hpp"
#include "grader/util/cpus.hpp"
#include "grader/util/fingerprint.hpp"
#include "grader/util/procfs.hpp"
#include "grader/util/text.hpp"
#include "grader/util/units.hpp"

namespace ipcgrade::supervise {

namespace {
// A segment's size as the kernel allocates it: whole pages.
unsigned long long page_rounded(unsigned long long bytes) {
  static const auto page = static_cast<unsigned long long>(::sysconf(_SC_PAGESIZE));
  return bytes > ~0ULL - page ? bytes : (bytes + page - 1) / page * page;
}
}  // namespace

namespace {

std::string exe_of(pid_t pid) {
  std::error_code ec;
  auto target = std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec);
  return ec ? std::string() : target.string();
}

}  // namespace

namespace {
// Calls that programs make in loops and whose checks judge each call on its own (not in pairs like
// shmat/shmdt, not by their results like *get): the call table's Fold column.
bool repeatable(const std::string& call) {
  const trace::CallRow* row = trace::call_row(call);
  return row && row->fold != trace::Fold::None;
}
constexpr size_t kRecent = 4;
}  // namespace

Tracer::Tracer(trace::Trace& out, std::string own_dir, bool name_by_program)
    : out_(out), own_dir_(std::move(own_dir)), name_by_program_(name_by_program), symbolizer_(own_dir_) {
  if (!own_dir_.empty() && own_dir_.back() != '/') own_dir_ += '/';
}
Tracer::~Tracer() = default;

void Tracer::adopt(pid_t host_pid, long pid, const std::string& name, int index) {
  auto p = std::make_unique<Proc>();
  p->host_pid = host_pid;
  p->pid = pid;
  p->root = host_pid;
  p->name = name;
  p->index = index;
  emit(*p, trace::EventKind::Spawn);
  inner_of_[host_pid] = pid;
  seen_pids_.insert(pid);
  seen_pids_.insert(host_pid);
  procs_[host_pid] = std::move(p);
}

Tracer::Proc& Tracer::proc(pid_t host_pid) {
  auto it = procs_.find(host_pid);
  return it != procs_.end() ? *it->second : discover(host_pid);
}

// A tracee we have not seen: a child or thread auto-attached through fork/clone. Its first stop can
// come before its parent's fork event, so the parent is found from /proc rather than from the event.
Tracer::Proc& Tracer::discover(pid_t host_pid) {
  const ProcStatus st = read_proc_status(host_pid);
  auto p = std::make_unique<Proc>();
  p->host_pid = host_pid;
  p->fresh = true;
  p->pid = st.inner;
  const bool thread = st.tgid != 0 && st.tgid != host_pid;
  auto parent = procs_.find(thread ? st.tgid : st.ppid);
  if (parent != procs_.end()) {
    const Proc& from = *parent->second;
    if (thread) p->pid = from.pid;  // getpid() in a thread is its process's pid
    p->root = from.root;
    p->name = from.name;
    p->index = from.index;
    p->program = from.program;
    p->judged = from.judged;
    // Threads share their process's descriptors; a forked child gets a copy of its parent's.
    p->fds = thread ? from.fds : std::make_shared<FdTable>(*from.fds);
  }
  p->thread = thread;
  if (!thread) inner_of_[host_pid] = p->pid;
  seen_pids_.insert(p->pid);
  seen_pids_.insert(host_pid);
  Proc& ref = *p;
  procs_[host_pid] = std::move(p);
  if (!thread) {
    trace::Event& e = emit(ref, trace::EventKind::Spawn);
    e.parent = parent != procs_.end() ? parent->second->pid : 0;
  }
  return ref;
}

trace::Event& Tracer::emit(const Proc& p, trace::EventKind kind) {
  // Calls are held to the limits by emit_call; the processes' own events get a tenth more room.
  if (out_.events.size() >= max_events_ + max_events_ / 10 || bytes_ >= max_bytes_ + max_bytes_ / 10) {
    ++dropped_;
    sink_ = trace::Event{};
    return sink_;
  }
  trace::Event e;
  e.seq = out_.events.size() + 1;
  e.kind = kind;
  e.pid = p.pid;
  e.host_pid = p.host_pid;
  e.process = p.name;
  e.index = p.index;
  e.program = p.program;
  e.judged = p.judged;
  bytes_ += trace::approximate_bytes(e);
  out_.events.push_back(std::move(e));
  return out_.events.back();
}

void Tracer::resume(Proc& p, int signal) {
  if (ending_) return;  // held for the kill
  // A call waiting for its exit must be resumed with PTRACE_SYSCALL even after an intervening stop,
  // or the exit stop is lost.
  const auto request = p.pending ? PTRACE_SYSCALL : PTRACE_CONT;
  if (ptrace(request, p.host_pid, nullptr, reinterpret_cast<void*>(static_cast<long>(signal))) != 0 &&
      errno != ESRCH) {
    spdlog::debug("tracer: resuming {} failed: {}", p.host_pid, std::strerror(errno));
  }
}

void Tracer::set_chaos(std::uint64_t seed, std::vector<int> spread) {
  chaos_ = seed;
  spread_ = std::move(spread);
}

void Tracer::resume_perturbed(Proc& p, unsigned odds, unsigned longest_ms) {
  if (!chaos_) {
    resume(p, 0);
    return;
  }
  // Each draw is a function of the seed, the process (its name and index) and how many of its own stops
  // were drawn for before: not of the order in which the run's processes happened to stop. So the
  // failing run's seed (--seed S --runs 1) perturbs each process as it did.
  const std::uint64_t draw = util::Fingerprint()
                                 .add(std::to_string(*chaos_))
                                 .add(p.name)
                                 .add(std::to_string(p.index))
                                 .add(std::to_string(p.perturb_draws++))
                                 .value();
  if (holds_[p.host_pid] >= kChaosHolds || draw % odds != 0) {
    resume(p, 0);
    return;
  }
  ++holds_[p.host_pid];
  const auto ms = 1 + (draw >> 20) % longest_ms;
  held_.push_back({std::chrono::steady_clock::now() + std::chrono::milliseconds(ms), p.host_pid,
                   p.pending ? PTRACE_SYSCALL : PTRACE_CONT});
}

std::optional<std::chrono::steady_clock::time_point> Tracer::next_held() const {
  std::optional<std::chrono::steady_clock::time_point> next;
  for (const auto& h : held_) {
    if (!next || h.at < *next) next = h.at;
  }
  return next;
}

// Under a schedule perturbation, a parent and the child it just made go on at the same moment: whichever
// side stops first (the parent at its fork event, the child at its initial stop) waits for the other, at
// most 50 ms, and then both are resumed together. Resuming either at once would let it run ahead: a
// parent adding 40,000 times to a shared counter finishes before its child starts, and the race between
// them is never seen. `parent` is 0 for the child's side.
std::vector<Tracer::Held>::iterator Tracer::held_stop(pid_t host_pid) {
  return std::find_if(held_.begin(), held_.end(), [&](const Held& h) { return h.host_pid == host_pid; });
}

void Tracer::start_together(pid_t child, pid_t parent) {
  auto release = [&](pid_t who) {
    const auto it = held_stop(who);
    if (it != held_.end()) {
      ptrace(static_cast<__ptrace_request>(it->request), who, nullptr, nullptr);
      held_.erase(it);
    }
  };
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(50);
  if (parent == 0) {  // the child's initial stop
    const auto waiting = fork_parent_.find(child);
    Proc& c = proc(child);
    if (waiting != fork_parent_.end()) {
      const pid_t p = waiting->second;
      fork_parent_.erase(waiting);
      resume(c, 0);
      release(p);
    } else {
      early_children_.insert(child);
      held_.push_back({until, child, c.pending ? PTRACE_SYSCALL : PTRACE_CONT});
    }
    return;
  }
  Proc& p = proc(parent);
  if (early_children_.erase(child) > 0) {
    release(child);
    resume(p, 0);
  } else {
    fork_parent_[child] = parent;
    held_.push_back({until, parent, p.pending ? PTRACE_SYSCALL : PTRACE_CONT});
  }
}

void Tracer::resume_due() {
  if (ending_) return;
  const auto now = std::chrono::steady_clock::now();
  for (auto it = held_.begin(); it != held_.end();) {
    if (it->at > now) {
      ++it;
      continue;
    }
    // A process killed meanwhile is gone: ESRCH.
    ptrace(static_cast<__ptrace_request>(it->request), it->host_pid, nullptr, nullptr);
    it = held_.erase(it);
  }
}

void Tracer::on_stop(pid_t host_pid, int status) {
  Proc& p = proc(host_pid);
  const int sig = WSTOPSIG(status);
  const int event = status >> 16;
  switch (event) {
    case PTRACE_EVENT_SECCOMP:
      on_seccomp(p);
      return;
    case PTRACE_EVENT_FORK:
    case PTRACE_EVENT_VFORK:
    case PTRACE_EVENT_CLONE:
      on_fork(p);
      return;
    case PTRACE_EVENT_EXEC:
      on_exec(p);
      return;
    case PTRACE_EVENT_STOP:  // the initial stop of a new tracee, or a group-stop
      if (chaos_ && std::exchange(p.fresh, false)) {
        start_together(p.host_pid, /*parent=*/0);
        return;
      }
      p.fresh = false;
      resume(p, 0);
      return;
    default:
      break;
  }
  if (sig == (SIGTRAP | 0x80)) {
    on_syscall_exit(p);
    return;
  }
  // A signal on its way to the tracee: deliver it.
  settle_interrupted(p, sig == SIGTRAP ? 0 : sig);
  note_fault(p, sig);
  resume(p, sig == SIGTRAP ? 0 : sig);
}

void Tracer::on_seccomp(Proc& p) {
  __ptrace_syscall_info info{};
  if (ptrace(PTRACE_GET_SYSCALL_INFO, p.host_pid, sizeof info, &info) <= 0 ||
      info.op != PTRACE_SYSCALL_INFO_SECCOMP) {
    resume(p, 0);
    return;
  }
  unsigned long long args[6];
  for (int i = 0; i < 6; ++i) args[i] = info.seccomp.args[i];
  const int nr = static_cast<int>(info.seccomp.nr);
  settle_interrupted(p, 0);
  if (nr == SYS_exit_group) note_unreaped(p);
  const trace::CallRow* row = trace::call_row(nr);
  if (info.seccomp.ret_data != 0) {
    // A call the filter refuses (its errno is the rule's data): skipped here, so that it is reported.
    refuse_call(p, nr, args, static_cast<int>(info.seccomp.ret_data),
                row ? std::string(trace::refusal_reason(*row, args)) : std::string());
    resume(p, 0);
    return;
  }
  if (!row) {
    resume(p, 0);
    return;
  }
  const ProcessMemory tracee(p.host_pid);
  DecodeContext ctx{tracee, *p.fds, next_pipe_, p.timer_until, names_};
  if (nr == SYS_shmget && shm_limit_ > 0 && (args[2] & IPC_CREAT) && refuse_past_shared_memory(p, args))
    return;
  if (nr == SYS_shmctl && (args[1] & 0xff) == IPC_RMID) {
    // Removed (or to be, once the last process detaches, when RLIMIT_AS still counts it where attached).
    if (const auto it = shm_sizes_.find(static_cast<int>(args[0])); it != shm_sizes_.end()) {
      shm_total_ -= it->second;
      shm_sizes_.erase(it);
    }
  }
  if (row->guard == trace::Guard::OwnObject &&
      (args[row->family == trace::Family::Sem ? 2 : 1] & 0xff) == IPC_RMID) {
    // The run's own object, removed (the call cannot fail for its owner but on an id already gone): its
    // key is free again, and no longer names the run's object (run_key).
    const auto object = std::make_pair(*trace::ipc_kind_of(row->family), static_cast<int>(args[0]));
    if (created_.count(object)) removed_.insert(object);
  }
  if (row->family == trace::Family::Memory) {
    // Only the result matters (ENOMEM names the memory limit); nothing is recorded but the mapping of
    // a POSIX shared-memory object.
    p.pending = Pending{};
    decode_entry(ctx, nr, args, p.pending->event);
    p.pending->nr = nr;
    std::copy(std::begin(args), std::end(args), p.pending->args);
    resume(p, 0);
    return;
  }
  if (nr == SYS_clone && (args[0] & trace::refused_clone_flags()) != 0) {
    // In every mode: a namespace of its own hides what the child makes from the audit; an untraced
    // child escapes the tracer. Judged here, from the register the kernel reads.
    refuse_call(p, nr, args, EPERM, std::string(trace::refusal_reason(*row, args)),
                fmt::format("clone({:#x}, ...)", args[0]));
    resume(p, 0);
    return;
  }
  if (max_tasks_ > 0 && (nr == SYS_fork || nr == SYS_vfork || nr == SYS_clone || nr == SYS_clone3)) {
    p.forking = false;  // a fork of its that failed is not in flight any more
    size_t tasks = procs_.size();
    for (const auto& [host, q] : procs_) tasks += q->forking ? 1 : 0;
    if (tasks >= max_tasks_) {
      refuse_only(p.host_pid, EAGAIN);
      ++forks_refused_;
      resume(p, 0);
      return;
    }
    p.forking = true;
  }
  if (guard_ && guard_call(p, *row, args)) return;
  // The hot path of a message loop: the very same msgsnd/msgrcv/semop as a moment ago is counted on
  // its event without being decoded again. Only the call's own arguments are compared: the registers
  // past them hold whatever the caller left there.
  const bool ipc_call = row->family == trace::Family::Msg || row->family == trace::Family::Sem ||
                        row->family == trace::Family::Shm || row->family == trace::Family::Mq;
  const bool raw_fold = row->fold == trace::Fold::Raw && !(want_results_ && ipc_call);
  long memory = 0;
  if (raw_fold) {
    if (row->fold_memory >= 0)
      memory = read_tracee_value<long>(p.host_pid, args[row->fold_memory]).value_or(0);
    for (const auto& r : p.raw) {
      if (r.nr == nr && r.mtype == memory && std::equal(args, args + row->fold_args, r.args)) {
        ++out_.events[r.event].repeat;
        resume(p, 0);
        return;
      }
    }
  }
  trace::Event e;
  const bool wants_exit = decode_entry(ctx, nr, args, e) || (want_results_ && ipc_call && !e.call.empty());
  // Tracked mode: a call that makes a name is watched to its exit, recorded or not.
  if (guard_ && row->guard == trace::Guard::Name && watch_name(p, *row, args, wants_exit ? &e : nullptr)) {
    resume(p, 0);
    return;
  }
  if (wants_exit) {
    p.pending = Pending{};
    p.pending->event = std::move(e);
    p.pending->nr = nr;
    std::copy(std::begin(args), std::end(args), p.pending->args);
  } else if (!e.call.empty()) {
    const size_t index = emit_call(p, std::move(e));
    if (raw_fold) remember_raw(p, nr, args, memory, index);
  }
  // An IPC call may be held a moment before it runs: another process's call may then come first.
  if (row->family == trace::Family::Process || row->family == trace::Family::Memory) {
    resume(p, 0);
  } else {
    resume_perturbed(p, 4, 10);
  }
}

size_t Tracer::emit_call(Proc& p, trace::Event&& call) {
  if (repeatable(call.call)) {
    for (size_t index : p.recent) {
      trace::Event& seen = out_.events[index];
      if (seen.same_call(call) && seen.judged == p.judged) {
        ++seen.repeat;
        return index;
      }
    }
  }
  if (out_.events.size() >= max_events_ || bytes_ >= max_bytes_) {
    ++dropped_;
    return kDropped;
  }
  trace::Event& out = emit(p, trace::EventKind::Call);
  const std::uint64_t empty = trace::approximate_bytes(out);
  // Where in the student's code the call was made: paid once per distinct call, not per repeat.
  if (p.judged) {
    user_regs_struct regs;
    if (ptrace(PTRACE_GETREGS, p.host_pid, nullptr, &regs) == 0)
      // File and function names come from the submission's debug information: text it chose.
      out.at = util::escape_controls(symbolizer_.call_site(p.host_pid, regs));
  }
  out.call = std::move(call.call);
  out.values = std::move(call.values);
  out.texts = std::move(call.texts);
  out.other_ends = std::move(call.other_ends);
  out.sem_ops = std::move(call.sem_ops);
  out.result = call.result;
  out.error = call.error;
  bytes_ += trace::approximate_bytes(out) - empty;
  if (repeatable(out.call)) {
    p.recent.push_back(out_.events.size() - 1);
    if (p.recent.size() > kRecent) p.recent.erase(p.recent.begin());
  }
  return out_.events.size() - 1;
}

void Tracer::remember_raw(Proc& p, int nr, const unsigned long long (&args)[6], long mtype, size_t event) {
  if (event == kDropped) return;
  Proc::Raw r{nr, {}, mtype, event};
  std::copy(std::begin(args), std::end(args), r.args);
  p.raw.push_back(r);
  if (p.raw.size() > kRecent) p.raw.erase(p.raw.begin());
}

void Tracer::on_syscall_exit(Proc& p) {
  if (!p.pending) {
    resume(p, 0);
    return;
  }
  __ptrace_syscall_info info{};
  Pending pending = std::move(*p.pending);
  p.pending.reset();
  if (ptrace(PTRACE_GET_SYSCALL_INFO, p.host_pid, sizeof info, &info) > 0 &&
      info.op == PTRACE_SYSCALL_INFO_EXIT) {
    long rval = static_cast<long>(info.exit.rval);
    bool is_error = info.exit.is_error != 0;
    // A signal interrupted the call: it ends with a restart code the program never sees. ERESTARTNOHAND
    // (msgrcv, msgsnd, semop, pause) becomes EINTR when a handler runs and a restart otherwise: held
    // until the signal's delivery stop says which. The others (ERESTARTSYS to ERESTART_RESTARTBLOCK)
    // are restarts, or depend on SA_RESTART, which the tracer cannot see: not recorded (the restarted
    // call is, when it returns).
    constexpr long kRestartSys = 512, kRestartNoHand = 514, kRestartBlock = 516;  // the kernel's codes
    const bool interrupted = is_error && rval == -kRestartNoHand;
    const bool restart_code = is_error && rval <= -kRestartSys && rval >= -kRestartBlock;
    if ((restart_code && !interrupted) || (interrupted && ending_)) {
      resume(p, 0);
      return;
    }
    if (interrupted) rval = -EINTR;
    const trace::CallRow* row = trace::call_row(pending.nr);
    if (guard_ && row) guard_ipc_exit(p, *row, pending.args, rval, is_error);
    if (is_error && rval == -ENOMEM && row && (row->family == trace::Family::Memory || row->allocates)) {
      const unsigned long long bytes = pending.nr == SYS_mmap     ? pending.args[1]
                                       : pending.nr == SYS_mremap ? pending.args[2]
                                                                  : 0;
      memory_refusals_.push_back({p.name, p.index, p.pid, std::string(row->name), bytes});
    }
    const bool recorded = !pending.event.call.empty();
    if (!pending.path.empty()) named(p, pending, rval, is_error);
    if (!recorded) {
      resume(p, 0);
      return;
    }
    const ProcessMemory tracee(p.host_pid);
    DecodeContext ctx{tracee, *p.fds, next_pipe_, p.timer_until, names_};
    decode_exit(ctx, pending.nr, pending.args, rval, is_error, pending.event);
    const auto kind = row ? trace::ipc_kind_of(row->family) : std::nullopt;
    // IPC_PRIVATE makes a new object with or without IPC_CREAT.
    if (row && row->creates == trace::Creates::WithIpcCreat && kind && !is_error &&
        ((pending.event.value("flags") & IPC_CREAT) || pending.args[0] == IPC_PRIVATE)) {
      ipc_creators_.insert(p.root);
      const auto key = static_cast<long>(pending.event.value("key"));
      created_[{*kind, static_cast<int>(rval)}] = key;
      if (on_created_) on_created_(*kind, static_cast<int>(rval), key);
      if (*kind == trace::IpcKind::ShmSegment && !shm_sizes_.count(static_cast<int>(rval))) {
        const unsigned long long size = page_rounded(pending.args[1]);
        shm_sizes_[static_cast<int>(rval)] = size;
        shm_total_ += size;
      }
    }
    // `ready: ipc` fires on POSIX objects and FIFOs too: a FIFO made, a queue, shared memory object or
    // named semaphore opened with O_CREAT.
    if (const trace::CallRow* made = trace::call_row(pending.event.call);
        !is_error && made &&
        (made->creates == trace::Creates::Always ||
         (made->creates == trace::Creates::WithOCreat && (pending.event.value("oflag") & O_CREAT))))
      ipc_creators_.insert(p.root);
    if (interrupted) {
      p.interrupted = std::move(pending);
    } else if (!pending.event.call.empty()) {
      const size_t index = emit_call(p, std::move(pending.event));
      if (row && row->fold == trace::Fold::Raw) remember_raw(p, pending.nr, pending.args, 0, index);
    }
  }
  resume(p, 0);
}

bool Tracer::refuse_past_shared_memory(Proc& p, const unsigned long long (&args)[6]) {
  // A key the run already made names its segment: shmget makes nothing new.
  if (static_cast<key_t>(args[0]) != IPC_PRIVATE) {
    for (const auto& [object, key] : created_) {
      if (object.first == trace::IpcKind::ShmSegment && key == static_cast<key_t>(args[0]) &&
          shm_sizes_.count(object.second))
        return false;
    }
  }
  const unsigned long long size = page_rounded(args[1]);
  if (shm_total_ + size <= shm_limit_) return false;
  memory_refusals_.push_back({p.name, p.index, p.pid, std::string(trace::call_row(SYS_shmget)->name), size});
  refuse_recorded(
      p, SYS_shmget, args, ENOMEM,
      fmt::format("the run's System V shared memory would pass its memory limit ({}): {} made and "
                  "not removed, {} more asked",
                  util::format_size(shm_limit_), util::format_size(shm_total_), util::format_size(size)),
      "memory limit");
  return true;
}

namespace {
// Whether the process has a handler for `signal` (its SigCgt mask in /proc).
bool catches(pid_t host_pid, int signal) {
  if (signal <= 0 || signal > 64) return false;
  const auto status = util::proc_status(std::to_string(host_pid));
  const auto caught = status.find("SigCgt");
  if (caught == status.end()) return false;
  const unsigned long long mask = std::stoull(caught->second, nullptr, 16);
  return (mask >> (signal - 1) & 1) != 0;
}
}  // namespace

void Tracer::settle_interrupted(Proc& p, int signal) {
  if (!p.interrupted) return;
  Pending held = std::move(*p.interrupted);
  p.interrupted.reset();
  if (signal <= 0 || signal > 64 || held.event.call.empty()) return;
  // A handler runs only for a caught signal; an ignored or default one restarts the call (or ends the
  // process, which then never saw a result).
  if (!catches(p.host_pid, signal)) return;
  // Not remembered for raw folding: a retry that succeeds must not be counted on the failure.
  emit_call(p, std::move(held.event));
}

void Tracer::note_fault(Proc& p, int signal) {
  if (signal != SIGSEGV && signal != SIGBUS && signal != SIGFPE && signal != SIGILL && signal != SIGABRT &&
      signal != SIGPIPE && signal != SIGSYS)
    return;
  siginfo_t info{};
  if (ptrace(PTRACE_GETSIGINFO, p.host_pid, nullptr, &info) != 0) return;
  // A fault of its own: raised by the kernel for what the program did (si_code > 0: a bad address, a
  // division by zero, a write to a pipe nobody reads), or sent by the process to itself (abort()). The
  // same signal sent by another process is a kill, not a crash.
  if (info.si_code <= 0 && info.si_pid != p.pid) return;
  // A handler will run (a SIGSEGV caught and jumped out of): the process lives on, and a later death
  // by the same signal is not this fault.
  if (catches(p.host_pid, signal)) {
    faults_.erase(p.pid);
    return;
  }
  Fault f;
  f.signal = signal;
  if (info.si_code > 0 && (signal == SIGSEGV || signal == SIGBUS || signal == SIGFPE || signal == SIGILL))
    f.address = reinterpret_cast<unsigned long long>(info.si_addr);
  user_regs_struct regs;
  // The line it happened at, in the student's code: a fault inside the C library (strlen(NULL), abort)
  // is named by the student's call that led there.
  if (p.judged && ptrace(PTRACE_GETREGS, p.host_pid, nullptr, &regs) == 0)
    f.at = util::escape_controls(symbolizer_.call_site(p.host_pid, regs));
  faults_[p.pid] = std::move(f);
}

void Tracer::note_unreaped(const Proc& p) {
  std::vector<long> children;
  std::error_code ec;
  const std::string tasks = "/proc/" + std::to_string(p.host_pid) + "/task";
  for (const auto& task : std::filesystem::directory_iterator(tasks, ec)) {
    // The kernel's list of the task's children: zombies (ended, not waited for) included.
    std::istringstream list(util::read_proc_file(task.path().string() + "/children"));
    pid_t host = 0;
    while (list >> host) {
      const auto child = inner_of_.find(host);
      if (child != inner_of_.end()) children.push_back(child->second);
    }
  }
  if (!children.empty()) unreaped_[p.pid] = std::move(children);
}

void Tracer::on_fork(Proc& p) {
  p.forking = false;
  unsigned long child = 0;
  ptrace(PTRACE_GETEVENTMSG, p.host_pid, nullptr, &child);
  if (child != 0 && !procs_.count(static_cast<pid_t>(child))) discover(static_cast<pid_t>(child));
  if (chaos_ && child != 0) {
    // On a spread run the child goes on the CPU after its parent's, so that the two run at once
    // even when the machine's other work keeps every CPU busy.
    const int at = spread_.empty() ? -1 : util::pinned_cpu(p.host_pid);
    const auto it = std::find(spread_.begin(), spread_.end(), at);
    if (it != spread_.end())
      util::pin_to_cpu(static_cast<pid_t>(child),
                       spread_[(static_cast<std::size_t>(it - spread_.begin()) + 1) % spread_.size()]);
    start_together(static_cast<pid_t>(child), p.host_pid);
    return;
  }
  resume(p, 0);
}

void Tracer::on_exec(Proc& p) {
  settle_interrupted(p, 0);
  p.program = exe_of(p.host_pid);
  symbolizer_.forget(p.host_pid);
  p.judged = !own_dir_.empty() && p.program.rfind(own_dir_, 0) == 0;
  if (name_by_program_ && !p.program.empty()) p.name = std::filesystem::path(p.program).filename().string();
  // A new program starts with the descriptors that were not close-on-exec.
  if (p.fds.use_count() > 1) p.fds = std::make_shared<FdTable>(*p.fds);
  std::erase_if(*p.fds, [](const auto& kv) { return kv.second.cloexec; });
  p.fds->mappings.clear();
  p.recent.clear();
  p.raw.clear();
  // A program the process cannot read (mode 0111) makes it not dumpable, and a tracer without
  // CAP_SYS_PTRACE (root in a container) could then read none of its memory: every call's arguments
  // would be hidden from the checks and the guard. Such a program is not run.
  user_regs_struct regs{};
  if (ptrace(PTRACE_GETREGS, p.host_pid, nullptr, &regs) == 0 &&
      read_tracee(p.host_pid, regs.rip, 1).empty()) {
    note_refusal(
        p, "execve(\"" + util::shown_path(p.program) + "\", ...)", EACCES,
        "the grader cannot read this program's memory (is the file unreadable, mode 0111?): its calls "
        "could not be judged, so it was stopped");
    ::kill(p.host_pid, SIGKILL);
    resume(p, 0);
    return;
  }
  trace::Event& e = emit(p, trace::EventKind::Exec);
  // The submission's message structs (from its debug info), so that message sizes can be judged
  // without being told the payload: `ipcgrade run`, or a message-size check without `payload`.
  if (p.judged) {
    auto cached = structs_.find(p.program);
    if (cached == structs_.end()) {
      cached = structs_.emplace(p.program, message_structs(p.program)).first;
    }
    if (!cached->second.empty() && &e != &sink_) {
      e.message_structs = cached->second;
      for (const auto& s : cached->second) bytes_ += sizeof(s) + s.name.size();
    }
  }
  resume(p, 0);
}

void Tracer::on_exit(pid_t host_pid, int status) {
  auto it = procs_.find(host_pid);
  if (it == procs_.end()) return;
  Proc& p = *it->second;
  settle_interrupted(p, 0);
  if (p.thread) {
    procs_.erase(it);
    return;
  }
  trace::Event& e = emit(p, trace::EventKind::Exit);
  if (WIFEXITED(status)) e.values["code"] = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) e.values["signal"] = WTERMSIG(status);
  // It died of the fault noted at its delivery stop: a crash, with its line.
  if (auto fault = faults_.find(p.pid); fault != faults_.end()) {
    if (WIFSIGNALED(status) && WTERMSIG(status) == fault->second.signal) {
      e.values["crash"] = fault->second.signal;
      if (fault->second.address) e.values["crash_address"] = static_cast<long long>(*fault->second.address);
      if (!fault->second.at.empty()) e.texts["crash_at"] = fault->second.at;
    }
    faults_.erase(fault);
  }
  if (auto left = unreaped_.find(p.pid); left != unreaped_.end()) {
    std::string pids;
    for (long child : left->second) pids += (pids.empty() ? "" : " ") + std::to_string(child);
    e.texts["unreaped"] = pids;
    unreaped_.erase(left);
  }
  procs_.erase(it);
}

std::vector<Tracer::Live> Tracer::live() const {
  std::vector<Live> out;
  const auto now = std::chrono::steady_clock::now();
  for (const auto& [host, p] : procs_) {
    out.push_back({host, p->pid, p->name, p->thread, p->fds.get(), p->timer_until > now});
  }
  return out;
}

std::vector<pid_t> Tracer::live_pids() const {
  std::vector<pid_t> out;
  for (const auto& [host, p] : procs_) out.push_back(host);
  return out;
}

std::set<pid_t> Tracer::interrupt_all() {
  ending_ = true;
  std::set<pid_t> asked;
  for (const auto& entry : procs_) {
    const pid_t host = entry.first;
    if (held_stop(host) == held_.end() && ptrace(PTRACE_INTERRUPT, host, nullptr, nullptr) == 0)
      asked.insert(host);
  }
  return asked;
}

std::vector<Tracer::Alive> Tracer::judged_alive() const {
  std::vector<Alive> out;
  for (const auto& [host, p] : procs_) {
    if (p->judged && !p->thread) out.push_back({host, p->name, p->index, p->pid});
  }
  return out;
}

std::set<pid_t> Tracer::take_ipc_creators() {
  return std::exchange(ipc_creators_, {});
}

}  // namespace ipcgrade::supervise
