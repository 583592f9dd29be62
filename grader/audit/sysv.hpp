#pragma once
#include <string>
#include <vector>

#include "grader/runner/result.hpp"

namespace ipcgrade::audit {

// Every System V message queue, shared memory segment and semaphore set visible in the calling
// process's IPC namespace, from /proc/sysvipc/{msg,shm,sem}. Pids are as the caller's PID namespace
// sees them (`creator_pid` holds the shm creator's pid; the kernel records no creator for msg and sem).
std::vector<run::Leftover> list_sysv_objects();

// Removes one object with IPC_RMID; sets `reclaimed` or `reclaim_error`.
void reclaim(run::Leftover& object);

}  // namespace ipcgrade::audit
