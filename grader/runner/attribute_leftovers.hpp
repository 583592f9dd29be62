#pragma once
#include "grader/run/result.hpp"
#include "grader/trace/trace.hpp"

#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace ipcgrade::runner {

// Names the process and the call that created a leftover, from the trace: for a System V object, the
// first successful *get with IPC_CREAT that returned its id since the last IPC_RMID of that id (the
// kernel's shm_cpid agrees for segments); for a POSIX queue, the first mq_open with O_CREAT of its name
// since its last mq_unlink (shm_open and sem_open likewise). Every other process that opened it is named
// in `opened_by`.
// The trace's calls by the object they name, built once: attributing 50,000 leftovers stays linear in
// the trace (looking each one up in the whole trace took 40 s).
class TraceIndex {
 public:
  explicit TraceIndex(const trace::Trace& trace);
  using Events = std::vector<const trace::Event*>;
  // Successful calls of `call` (in the trace's order) that returned `result`: a *get's id.
  const Events& returned(std::string_view call, long result) const;
  // Calls of `call` whose value `arg` is `value`: msgctl's msqid, an open's FIFO number.
  const Events& with(std::string_view call, std::string_view arg, long value) const;
  // Successful calls of `call` that name `name`: mq_open, shm_unlink, ...
  const Events& named(std::string_view call, const std::string& name) const;

 private:
  std::map<std::tuple<std::string, std::string_view, long>, Events> by_value_;
  std::map<std::pair<std::string, std::string>, Events> by_name_;
};

void attribute_leftover(run::Leftover& left, const TraceIndex& index);

// The FIFOs the trace shows made (mkfifo) and never unlinked, with their creators and the processes that
// opened them; `name` is the path as the program wrote it, `path` is left for the caller to find.
std::vector<run::Leftover> fifos_left(const trace::Trace& trace, const TraceIndex& index);

// The POSIX queues, shared-memory objects and named semaphores the trace shows made (opened with
// O_CREAT) and never unlinked, by name, with their creators: tracked mode's leftovers, which share the
// host's /dev/shm and queues.
std::vector<run::Leftover> posix_objects_left(const trace::Trace& trace, const TraceIndex& index);

}  // namespace ipcgrade::runner
