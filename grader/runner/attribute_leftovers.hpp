#pragma once
#include "grader/result/result.hpp"
#include "grader/trace/trace.hpp"

namespace ipcgrade::run {

// Names the process and the call that created a leftover, from the trace: for a System V object, the
// first successful *get with IPC_CREAT that returned its id since the last IPC_RMID of that id (the
// kernel's shm_cpid agrees for segments); for a POSIX queue, the first mq_open with O_CREAT of its name
// since its last mq_unlink. Every other process that opened it is named in `opened_by`.
void attribute_leftover(Leftover& left, const trace::Trace& trace);

}  // namespace ipcgrade::run
