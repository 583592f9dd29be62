#pragma once
#include "grader/result/result.hpp"
#include "grader/trace/trace.hpp"

namespace ipcgrade::run {

// Names the process and the call that created a leftover, from the trace: for a System V object, the
// first successful *get with IPC_CREAT that returned its id since the last IPC_RMID of that id (the
// kernel's shm_cpid agrees for segments); for a POSIX queue, the first mq_open with O_CREAT of its name
// since its last mq_unlink (shm_open and sem_open likewise). Every other process that opened it is named
// in `opened_by`.
void attribute_leftover(Leftover& left, const trace::Trace& trace);

// The FIFOs the trace shows made (mkfifo) and never unlinked, with their creators and the processes that
// opened them; `name` is the path as the program wrote it, `path` is left for the caller to find.
std::vector<Leftover> fifos_left(const trace::Trace& trace);

// The POSIX queues, shared-memory objects and named semaphores the trace shows made (opened with
// O_CREAT) and never unlinked, by name, with their creators: tracked mode's leftovers, which share the
// host's /dev/shm and queues.
std::vector<Leftover> posix_objects_left(const trace::Trace& trace);

}  // namespace ipcgrade::run
