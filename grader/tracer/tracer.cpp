#include "grader/tracer/tracer.hpp"

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
#include "grader/sandbox/spawn.hpp"
#include "grader/trace/ipc_kind.hpp"
#include "grader/tracer/message_structs.hpp"
#include "grader/tracer/tracer_state.hpp"
#include "grader/util/cpus.hpp"
#include "grader/util/fingerprint.hpp"
#include "grader/util/procfs.hpp"
#include "grader/util/text.hpp"
#include "grader/util/units.hpp"

namespace ipcgrade::tracer {

namespace {
// A segment's size as the kernel allocates it: whole pages.
unsigned long long page_rounded(unsigned long long bytes) {
  static const auto page = static_cast<unsigned long long>(::sysconf(_SC_PAGESIZE));
  return bytes > ~0ULL - page ? bytes : (bytes + page - 1) / page * page;
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
  if (observer_) observer_->follow(host_pid);
}

Tracer::Proc& Tracer::proc(pid_t host_pid) {
  auto it = procs_.find(host_pid);
  return it != procs_.end() ? *it->second : discover(host_pid);
}

// A tracee we have not seen: a child or thread auto-attached through fork/clone. Its first stop can
// come before its parent's fork event, so the parent is found from /proc rather than from the event.
Tracer::Proc& Tracer::discover(pid_t host_pid) {
  const sandbox::ProcStatus st = sandbox::read_proc_status(host_pid);
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

void Tracer::on_stop(pid_t host_pid, int status) {
  const int sig = WSTOPSIG(status);
  const int event = status >> 16;
  // What the observer recorded came before this stop: the trace keeps their order. At an exec, the
  // process's calls before it are placed with the memory map it had, if the symbolizer read it then.
  execing_ = event == PTRACE_EVENT_EXEC ? host_pid : 0;
  drain_observed();
  execing_ = 0;
  Proc& p = proc(host_pid);
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
  switch (record_entry(p, *row, nr, args, tracee)) {
    case Entry::Folded:
      resume(p, 0);
      return;
    case Entry::Resumed:
      return;
    case Entry::Recorded:
      break;
  }
  // An IPC call may be held a moment before it runs: another process's call may then come first.
  if (row->family == trace::Family::Process || row->family == trace::Family::Memory) {
    resume(p, 0);
  } else {
    resume_perturbed(p, 4, 10);
  }
}

// A call at its entry, stopped there (ptrace) or observed (the BPF observer's record, with what it
// copied of the caller's memory): a loop's repeat is counted on its earlier event; otherwise the call
// is decoded and recorded, or kept until its exit.
Tracer::Entry Tracer::record_entry(Proc& p, const trace::CallRow& row, int nr,
                                   const unsigned long long (&args)[6], const families::Memory& tracee) {
  DecodeContext ctx{tracee, *p.fds, next_pipe_, p.timer_until, names_};
  // The hot path of a message loop: the very same msgsnd/msgrcv/semop as a moment ago is counted on
  // its event without being decoded again. Only the call's own arguments are compared: the registers
  // past them hold whatever the caller left there.
  const bool ipc_call = trace::waits_for_results(row.family);
  const bool raw_fold = row.fold == trace::Fold::Raw && !(want_results_ && ipc_call);
  long memory = 0;
  if (raw_fold) {
    if (row.fold_memory >= 0) memory = tracee.value<long>(args[row.fold_memory]).value_or(0);
    for (const auto& r : p.raw) {
      if (r.nr == nr && r.mtype == memory && std::equal(args, args + row.fold_args, r.args)) {
        ++out_.events[r.event].repeat;
        return Entry::Folded;
      }
    }
  }
  trace::Event e;
  const bool wants_exit = decode_entry(ctx, nr, args, e) || (want_results_ && ipc_call && !e.call.empty());
  // Tracked mode: a call that makes a name is watched to its exit, recorded or not.
  if (guard_ && row.guard == trace::Guard::Name && watch_name(p, row, args, wants_exit ? &e : nullptr)) {
    resume(p, 0);
    return Entry::Resumed;
  }
  if (wants_exit) {
    auto& pending = observed_ ? p.observed_pending : p.pending;
    pending = Pending{};
    pending->event = std::move(e);
    pending->nr = nr;
    std::copy(std::begin(args), std::end(args), pending->args);
  } else if (!e.call.empty()) {
    const size_t index = emit_call(p, std::move(e));
    if (raw_fold) remember_raw(p, nr, args, memory, index);
  }
  return Entry::Recorded;
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
  // File and function names come from the submission's debug information: text it chose.
  if (p.judged && observed_) {
    out.at = util::escape_controls(observed_site(p, *observed_, &observed_walk_.emplace()));
  } else if (p.judged) {
    user_regs_struct regs;
    if (ptrace(PTRACE_GETREGS, p.host_pid, nullptr, &regs) == 0)
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
    const ProcessMemory tracee(p.host_pid);
    complete_exit(p, std::move(pending), static_cast<long>(info.exit.rval), info.exit.is_error != 0, tracee);
  }
  resume(p, 0);
}

// A call's exit, stopped there or observed: the result, what the decoder reads then, the objects it
// made, and the event recorded.
void Tracer::complete_exit(Proc& p, Pending pending, long rval, bool is_error,
                           const families::Memory& tracee) {
  // A signal interrupted the call: it ends with a restart code the program never sees. ERESTARTNOHAND
  // (msgrcv, msgsnd, semop, pause) becomes EINTR when a handler runs and a restart otherwise: held
  // until the signal's delivery stop says which. The others (ERESTARTSYS to ERESTART_RESTARTBLOCK)
  // are restarts, or depend on SA_RESTART, which the tracer cannot see: not recorded (the restarted
  // call is, when it returns).
  constexpr long kRestartSys = 512, kRestartNoHand = 514, kRestartBlock = 516;  // the kernel's codes
  const bool interrupted = is_error && rval == -kRestartNoHand;
  const bool restart_code = is_error && rval <= -kRestartSys && rval >= -kRestartBlock;
  if ((restart_code && !interrupted) || (interrupted && ending_)) return;
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
  if (!recorded) return;
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
  // (The event may be named for the library function the row's call made: mkfifo for mknodat. Only
  // rows that can make such an object are looked at: a msgrcv's exit costs no lookup.)
  const trace::CallRow* made =
      is_error || !row || (row->family != trace::Family::Files && row->creates == trace::Creates::No)
          ? nullptr
      : pending.event.call == row->name ? row
                                        : trace::call_row(pending.event.call);
  if (made && (made->creates == trace::Creates::Always ||
               (made->creates == trace::Creates::WithOCreat && (pending.event.value("oflag") & O_CREAT))))
    ipc_creators_.insert(p.root);
  if (interrupted) {
    p.interrupted = std::move(pending);
  } else if (!pending.event.call.empty()) {
    const size_t index = emit_call(p, std::move(pending.event));
    if (row && row->fold == trace::Fold::Raw) remember_raw(p, pending.nr, pending.args, 0, index);
  }
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

}  // namespace ipcgrade::tracer
