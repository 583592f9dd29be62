#pragma once
// The observer: a BPF program (observer.bpf.c) on the kernel's system-call tracepoints that records the
// calls of a run's processes without stopping them, for graders that may load one (root on a host:
// CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN, and a kernel with BTF). The tracer still follows every
// process with ptrace for its forks, execs, signals and exit, and still stops the calls it must judge
// or change before they run; the observer takes the calls a loop makes thousands of times (msgsnd,
// msgrcv, semop, POSIX queue sends and receives, pipe reads and writes): the call table's `capture`.
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "grader/observer/observed_call.h"

namespace ipcgrade::observer {

using ObservedCall = ipcgrade_observed_call;

class Observer {
 public:
  struct Options {
    // The ring buffer (a power of two of pages): read at least every 2 ms, it holds about 15,000
    // short records, 9,000 long ones or 260,000 repeats; its mapping counts twice its size in the
    // grader's memory.
    std::uint32_t ring_bytes = 8u << 20;
    bool pipe_io = false;       // read and write on descriptors above 2 are observed
    bool want_results = false;  // every observed IPC call's exit is recorded too
  };

  // Why this process cannot load the observer here ("no CAP_BPF", "the kernel has no BTF"); empty when
  // it may try. Loading can still fail (a container's seccomp profile refuses bpf()): the constructor
  // then throws with the kernel's reason.
  static std::string unavailable();

  // Loads the program, sets which calls it records from the call table, and attaches it. Throws
  // std::runtime_error.
  explicit Observer(const Options& options);
  ~Observer();
  Observer(const Observer&) = delete;
  Observer& operator=(const Observer&) = delete;

  // Follows a thread (its children and threads are followed from their first instruction).
  void follow(pid_t tid);
  // Hands every record the ring holds to `on`, oldest first; returns how many. A repeat (`exit` is
  // IPCGRADE_RECORD_REPEAT or _EXIT_REPEAT) comes as the whole entry or exit it repeats, with its own
  // time.
  size_t drain(const std::function<void(const ObservedCall&)>& on);
  // Records the ring had no room for, and repeats of entries this side does not hold: a run with any
  // is graded again under ptrace.
  std::uint64_t lost() const;
  // Lets the program write `whole` (an entry or exit record with a `gen`) again as a repeat when a call
  // equals it in everything it compares and in the words of the short piece of stack set in
  // `stack_words` (bit i: the 8 bytes at the stack pointer + 8i): those the grader's walk to its call
  // site read.
  void allow_repeats(const ObservedCall& whole, std::uint32_t stack_words);

 private:
  struct Loaded;
  std::unique_ptr<Loaded> loaded_;
  const std::function<void(const ObservedCall&)>* on_ = nullptr;
  std::uint64_t unmatched_ = 0;  // repeats of entries not held
  void receive(const void* data, size_t size);
};

}  // namespace ipcgrade::observer
