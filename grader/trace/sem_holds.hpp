#pragma once
// What a process took from System V semaphores and did not give back: a lock held when it ended.
#include <vector>

#include "grader/trace/trace.hpp"

namespace ipcgrade::trace {

struct SemHold {
  long pid = 0;
  long semid = 0;
  int num = 0;
  long long taken = 0;            // how much more it took (P) than it gave back (V)
  bool gave = false;              // it gave (V) that semaphore too: it uses it as a lock
  const Event* last_p = nullptr;  // its last P on that semaphore: where it took it
  const Event* exit = nullptr;    // its end, when it ended
};

// The semaphores each process holds by the trace: its operations without SEM_UNDO (the kernel gives
// back what SEM_UNDO recorded when the process ends, and nothing else), loops' repeats counted.
// Only holds that are still taken (more P than V) are returned, in the order the trace first shows them.
std::vector<SemHold> sem_holds(const Trace& trace);

// The holds of processes that ended holding a lock: they used the semaphore as a lock (took and gave
// it) or were killed before they could give it back. A consumer that ends after taking items from a
// counting semaphore holds nothing anyone waits for back.
std::vector<SemHold> dead_holds(const Trace& trace);

}  // namespace ipcgrade::trace
