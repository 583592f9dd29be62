#pragma once
// The tracer reads system calls from x86_64 registers (orig_rax, rdi, rsi, ...) and filters them by
// x86_64 numbers: on another architecture it would judge the wrong calls, so it does not build there.
#if !defined(__x86_64__)
#error "ipcgrade's tracer reads x86_64 registers and system call numbers: build it on x86_64 Linux"
#endif
#include <sys/ptrace.h>
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "grader/families/fd_table.hpp"
#include "grader/families/tracee_memory.hpp"
#include "grader/observer/observer.hpp"
#include "grader/trace/calls.hpp"
#include "grader/trace/ipc_kind.hpp"
#include "grader/trace/trace.hpp"
#include "grader/tracer/symbolizer.hpp"

namespace ipcgrade::tracer {

// The families' vocabulary the tracer keeps for each process: its descriptors and what they refer to.
using families::FdTable;
using families::Opened;
using families::PipeEnd;
using families::RunNames;

// Follows every process of a run with ptrace. The seccomp filter makes the interesting calls stop;
// this class decodes them into trace events, keeps each process's table of pipe descriptors through
// fork, dup and exec, and resumes the process — stopping at a call's exit only when its result is
// needed (ids from *get, addresses from shmat, descriptors from pipe and dup).
class Tracer {
 public:
  // `own_dir`: programs under it are the submission's own, and their calls are judged.
  // `name_by_program`: a process takes the name of the program it execs (`run`, where there are no
  // assignment names); otherwise forked children keep their parent's assignment name.
  Tracer(trace::Trace& out, std::string own_dir, bool name_by_program = false);
  ~Tracer();

  // A process the runner started and seized, before its exec.
  void adopt(pid_t host_pid, long pid, const std::string& name, int index);
  // Handles a waitpid() status of a traced process that is stopped, and resumes it.
  void on_stop(pid_t host_pid, int status);
  // Records the end of a traced process.
  void on_exit(pid_t host_pid, int status);
  // A waitpid() status the tracer collected itself (while it held the run still to read a guarded
  // argument), to be handled by the caller like one from its own waitpid, before waiting again.
  bool take_deferred(pid_t& host_pid, int& status);
  // The runner-started processes (host pids) whose process tree created an IPC object (msgget, shmget
  // or semget with IPC_CREAT succeeded) since the last call: `ready: ipc`.
  std::set<pid_t> take_ipc_creators();

  // What the watchdog needs to know of each live traced process.
  struct Live {
    pid_t host_pid;
    long pid;
    std::string name;
    bool thread;
    const FdTable* fds;
    bool timer_pending;  // an alarm or interval timer will wake it
  };
  std::vector<Live> live() const;
  const trace::Trace& trace() const { return out_; }

  // Tracked mode (no namespaces around the run): refuse with EPERM what the namespaces would have
  // kept out of reach — removing or changing an IPC object the run did not create, and signals to
  // processes that are not the run's (kill(-1, ...) included). The filter must be built `tracked`.
  // Tracked mode: refuse what would reach the host (see tracer_guard.cpp); Unix sockets may be reached
  // only under `socket_dirs` (the working folder, the run's temporary folder).
  void set_guard(bool on, std::vector<std::string> socket_dirs = {}) {
    guard_ = on;
    socket_dirs_ = std::move(socket_dirs);
  }
  // Every IPC object a msgget/shmget/semget with IPC_CREAT of the run returned: (kind, id) and the key
  // it was asked for.
  const std::map<std::pair<trace::IpcKind, int>, long>& created() const { return created_; }
  // Called for each object the run creates (kind, id, key) before the creating call
  // returns to the program: tracked mode's journal must name an object before the program (or a daemon
  // it forks next) can outlive a grader killed a moment later.
  void on_created(std::function<void(trace::IpcKind, int, long)> callback) {
    on_created_ = std::move(callback);
  }
  // Host pids of every traced process still alive (threads included).
  std::vector<pid_t> live_pids() const;
  // The run is ending: asks every traced process that is not already held to stop where it is
  // (PTRACE_INTERRUPT) and returns those asked. A call the kernel is in the middle of then reports its
  // result before the kill, so that a queue it made is in the trace. From now on on_stop resumes
  // nothing, and a call cut short by the interruption (a restart code) is not recorded.
  std::set<pid_t> interrupt_all();
  // A schedule perturbation for one run of a scenario (its seed): some stops — at traced IPC calls,
  // forks, a new process's first stop — are resumed a few milliseconds later instead of at once, so
  // that the run's processes interleave otherwise. Each process is held at most kChaosHolds times.
  // `spread`: the CPUs a spread run uses in turn; a new child then goes on the one after its parent's.
  void set_chaos(std::uint64_t seed, std::vector<int> spread = {});
  // When the next held stop is due; nullopt when none is held.
  std::optional<std::chrono::steady_clock::time_point> next_held() const;
  // Resumes the held stops that are due.
  void resume_due();

  // The trace keeps at most this many call events taking at most this many bytes: a program making a
  // million distinct calls would otherwise grow the grader without bound. Repeats of a recorded call
  // are still counted on it. Process events (spawn, exec, exit) get a tenth more room, so that a run
  // whose calls filled the trace still shows its processes end.
  void set_max_events(size_t max, std::uint64_t max_bytes) {
    max_events_ = max;
    max_bytes_ = max_bytes;
  }
  std::uint64_t dropped() const { return dropped_; }  // calls not recorded past the limit
  // Where nothing else holds `limits.processes` (no pids cgroup, no uid of the run's own: root in a
  // container), the tracer does: a fork, vfork or clone that would make more than `max` tasks (threads
  // count, as for the kernel) is refused with EAGAIN, as the kernel refuses one past RLIMIT_NPROC.
  void set_max_tasks(size_t max) { max_tasks_ = max; }
  // The System V shared memory the run may make, in bytes (its memory limit): a segment is memory no
  // process's RLIMIT_AS counts once detached, and where no cgroup counts it either (root in a container)
  // a run could hold any amount. Past it shmget(IPC_CREAT) is refused with ENOMEM. 0: no bound.
  void set_shared_memory_limit(unsigned long long bytes) { shm_limit_ = bytes; }
  // Every IPC call waits for its exit, so that its result is recorded (semop and msgsnd otherwise are
  // recorded at entry: one stop per call in their loops), and loops no longer fold calls before their
  // result is known.
  void set_want_results(bool on) { want_results_ = on; }
  std::uint64_t forks_refused() const { return forks_refused_; }
  // The student's processes (judged ones, not threads) still alive: host pid, name, index, own pid.
  struct Alive {
    pid_t host_pid;
    std::string name;
    int index;
    long pid;
  };
  std::vector<Alive> judged_alive() const;

  // An allocation the kernel refused with ENOMEM (mmap, mremap, shmat): the memory limit at work.
  struct MemoryRefusal {
    std::string process;
    int index = 0;
    long pid = 0;
    std::string call;
    unsigned long long bytes = 0;
  };
  const std::vector<MemoryRefusal>& memory_refusals() const { return memory_refusals_; }
  // The calls the sandbox refused (the filter's refusals and the guard's), one entry per process and
  // call, repeats counted; at most kMaxRefusals entries.
  const std::vector<trace::Refusal>& refusals() const { return refusals_; }
  static constexpr size_t kMaxRefusals = 100;

  // Tracked mode: a name the run made outside its own folders — a file, FIFO, socket, folder or link
  // in the host's /tmp, say, where Landlock does not hold writes (see tracer_files.cpp).
  struct CreatedFile {
    std::string path;
    dev_t dev = 0;
    ino_t ino = 0;
    std::string kind;  // file | fifo | socket | directory | symlink
    unsigned mode = 0;
    std::string process;
    int index = 0;
    long pid = 0;
    std::string call;  // mkfifo as the kernel sees it: "mknodat(\"/tmp/f\", ...)"
    std::string at;
  };
  const std::vector<CreatedFile>& created_files() const { return created_files_; }
  // Called for each such name the moment its call returns: the journal's line for `audit --reclaim`.
  void on_created_file(std::function<void(const CreatedFile&)> callback) {
    on_created_file_ = std::move(callback);
  }
  // Landlock holds the run's writes: its refusals of names outside the run's folders are listed too.
  void set_write_refusals(bool on) { write_refusals_ = on; }
  // No Landlock holds them: names made outside the run's folders since `since` (seconds since the
  // epoch; files born earlier are never the run's) are recorded, at most kMaxCreatedFiles.
  void set_record_names(bool on, long since) {
    record_names_ = on;
    names_since_ = since;
  }
  static constexpr size_t kMaxCreatedFiles = 1000;

  // The BPF observer records the calls the call table gives a `capture` (the filter no longer stops
  // them): each process the runner starts is followed by it too, and what it recorded is read here
  // before every stop is handled and whenever the supervisor asks (drain_observed), so that the trace
  // holds the same events, in the same order, as when every call stopped.
  void set_observer(observer::Observer* observer) { observer_ = observer; }
  void drain_observed();

  struct Proc;
  struct Pending;

 private:
  enum class Entry { Folded, Recorded, Resumed };
  Entry record_entry(Proc& p, const trace::CallRow& row, int nr, const unsigned long long (&args)[6],
                     const families::Memory& tracee);
  void complete_exit(Proc& p, Pending pending, long rval, bool is_error, const families::Memory& tracee);
  void on_observed(const observer::ObservedCall& call);
  std::string observed_site(Proc& p, const observer::ObservedCall& call,
                            Symbolizer::WalkInputs* inputs = nullptr);
  void allow_repeats(Proc& p, const observer::ObservedCall& call);
  observer::Observer* observer_ = nullptr;
  const observer::ObservedCall* observed_ = nullptr;  // the record being decoded, if any
  // What the walk to that record's call site read, when decoding it placed an event (allow_repeats
  // uses it rather than walking again).
  std::optional<Symbolizer::WalkInputs> observed_walk_;
  pid_t execing_ = 0;  // the process stopped at its exec while the observer's records are read
  Proc& proc(pid_t host_pid);
  Proc& discover(pid_t host_pid);
  void resume(Proc& p, int signal);
  // Resumes `p` from a stop where a schedule perturbation may hold it (chance in 1/`odds`, for up to
  // `longest_ms`).
  void resume_perturbed(Proc& p, unsigned odds, unsigned longest_ms);
  struct Held {
    std::chrono::steady_clock::time_point at;
    pid_t host_pid;
    int request;
  };
  std::vector<Held> held_;
  // The held stop of `host_pid`, or held_.end().
  std::vector<Held>::iterator held_stop(pid_t host_pid);
  void start_together(pid_t child, pid_t parent);
  std::map<pid_t, pid_t> fork_parent_;  // a child not started yet -> its parent, held at its fork event
  std::set<pid_t> early_children_;      // children whose initial stop came before their parent's event
  std::optional<std::uint64_t> chaos_;  // the schedule perturbation's seed (set_chaos), if any
  std::vector<int> spread_;             // ... the CPUs of a spread run (empty: the kernel places)
  std::map<pid_t, int> holds_;          // how many times each process was held
  bool ending_ = false;                 // interrupt_all() was called: every stop stays stopped for the kill
  static constexpr int kChaosHolds = 8;
  void on_seccomp(Proc& p);
  void on_syscall_exit(Proc& p);
  // At the delivery stop of `signal` (0: any other stop): records `p`'s interrupted call as failing
  // with EINTR when a handler will run for the signal, and forgets it otherwise (a restart follows).
  void settle_interrupted(Proc& p, int signal);
  // At the delivery stop of a signal that ends a program which does not catch it (SIGSEGV, SIGABRT,
  // ...): where it was raised, kept until the process's end says whether it died of it.
  void note_fault(Proc& p, int signal);
  struct Fault {
    int signal = 0;
    std::string at;
    std::optional<unsigned long long> address;  // SIGSEGV, SIGBUS, SIGFPE, SIGILL: the faulting address
  };
  std::map<long, Fault> faults_;  // by the process's own pid (a thread's fault is its process's)
  // At exit_group: the children it never waited for (running, or ended and not collected), by the
  // process's own pid; the exit event names them.
  void note_unreaped(const Proc& p);
  std::map<long, std::vector<long>> unreaped_;
  std::map<pid_t, long> inner_of_;  // every traced process's host pid -> its own pid, ended ones too
  void on_fork(Proc& p);
  void on_exec(Proc& p);
  trace::Event& emit(const Proc& p, trace::EventKind kind);
  size_t emit_call(Proc& p, trace::Event&& call);
  void remember_raw(Proc& p, int nr, const unsigned long long (&args)[6], long mtype,
                    size_t event);  // returns the index of the event it was counted on
  // Tracked mode: refuses the call at its seccomp stop when it reaches outside the run; returns
  // whether it did (the call is then skipped and the process resumed). See tracer_guard.cpp.
  bool guard_call(Proc& p, const trace::CallRow& row, const unsigned long long (&args)[6]);
  // Tracked mode's closed world of System V objects: a get of a key the run did not make is made
  // exclusive (entry) and one that found another program's object fails as if there were none (exit);
  // a call on an id the run did not make is refused. See tracer_guard.cpp.
  bool guard_ipc_entry(Proc& p, const trace::CallRow& row, const unsigned long long (&args)[6]);
  void guard_ipc_exit(Proc& p, const trace::CallRow& row, const unsigned long long (&args)[6], long& rval,
                      bool& is_error);
  bool run_key(trace::IpcKind kind, long key) const;
  // shmget(IPC_CREAT) past set_shared_memory_limit: refused (ENOMEM), listed and recorded; true if so.
  bool refuse_past_shared_memory(Proc& p, const unsigned long long (&args)[6]);
  // Refuses the call `p` is stopped in (as refuse_call) and records it in the trace as failed with
  // `err`, its event marked `refused` (checks judge it), then resumes `p`.
  void refuse_recorded(Proc& p, int nr, const unsigned long long (&args)[6], int err, const std::string& why,
                       const std::string& refused);
  // Skips the call `p` is stopped in with `err` as its result, and lists it with `why` (and `call`, or
  // the call as its number and arguments tell).
  void refuse_call(Proc& p, int nr, const unsigned long long (&args)[6], int err, const std::string& why,
                   std::string call = {});
  // Lists a refusal (the call already failed, or was skipped): one entry per process and call.
  void note_refusal(Proc& p, std::string call, int err, const std::string& why);
  // Tracked mode: a call that makes a name (see tracer_files.cpp) is followed to its exit, where
  // named() records what it made outside the run's folders. Returns whether `nr` is such a call.
  // Tracked mode: sets up the exit of a call that makes a name (with its decoded event, moved in when
  // it is recorded and the name is watched); false when it makes none (O_PATH, an abstract socket),
  // and the event is left as it was.
  bool watch_name(Proc& p, const trace::CallRow& row, const unsigned long long (&args)[6],
                  trace::Event* decoded);
  void named(Proc& p, const Pending& pending, long rval, bool is_error);
  bool inside_run(const std::string& path) const;
  // Stops every other task of the run (PTRACE_INTERRUPT) before a guarded argument is read from
  // memory they could change; their stops are kept for take_deferred. False when one could not be
  // stopped and may still run (the call is then refused). See tracer_hold.cpp.
  bool hold_others(const Proc& p);
  // Resumes `p` into its call and returns once the kernel has copied the argument: at the call's exit
  // (kept for take_deferred) or with `p` asleep inside the call.
  void resume_past_copy(Proc& p);
  std::vector<std::pair<pid_t, int>> deferred_;

  trace::Trace& out_;
  std::string own_dir_;
  bool name_by_program_;
  std::map<pid_t, std::unique_ptr<Proc>> procs_;
  std::set<pid_t> ipc_creators_;
  long next_pipe_ = 1;
  RunNames names_;  // the run's FIFOs and semaphore temporaries, across its processes
  std::map<std::string, std::vector<trace::MessageStruct>> structs_;  // program path -> its message structs
  Symbolizer symbolizer_;
  bool guard_ = false;
  static constexpr size_t kDropped = static_cast<size_t>(-1);  // emit_call: the call was not recorded
  size_t max_tasks_ = 0;                                       // 0: the kernel holds the process limit
  unsigned long long shm_limit_ = 0, shm_total_ = 0;           // System V segments the run made, in bytes
  bool want_results_ = false;
  std::map<int, unsigned long long> shm_sizes_;  // by id, until IPC_RMID
  std::uint64_t forks_refused_ = 0;
  size_t max_events_ = 100000;
  std::uint64_t max_bytes_ = 64ULL << 20;
  std::uint64_t bytes_ = 0;  // what the recorded events take, as trace::approximate_bytes counts it
  std::uint64_t dropped_ = 0;
  trace::Event sink_;  // where an event past the limits is written, and forgotten
  std::function<void(trace::IpcKind, int, long)> on_created_;
  std::vector<std::string> socket_dirs_;
  std::map<std::pair<trace::IpcKind, int>, long> created_;
  // Those of created_ the run removed (IPC_RMID succeeded): their keys are free again, and a get of one
  // may find another program's object there (see run_key).
  std::set<std::pair<trace::IpcKind, int>> removed_;
  std::set<long> seen_pids_;  // every pid of the run, for the signal guard
  std::vector<MemoryRefusal> memory_refusals_;
  std::vector<trace::Refusal> refusals_;
  std::vector<CreatedFile> created_files_;
  std::function<void(const CreatedFile&)> on_created_file_;
  bool write_refusals_ = false;
  bool record_names_ = false;
  long names_since_ = 0;
};

}  // namespace ipcgrade::tracer
