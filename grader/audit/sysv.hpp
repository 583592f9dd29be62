#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "grader/result/result.hpp"

namespace ipcgrade::audit {

// Every System V message queue, shared memory segment and semaphore set visible in the calling
// process's IPC namespace, from /proc/sysvipc/{msg,shm,sem}. Pids are as the caller's PID namespace
// sees them (`creator_pid` holds the shm creator's pid; the kernel records no creator for msg and sem).
std::vector<run::Leftover> list_sysv_objects();

// The POSIX shared memory objects (files in `shm_dir`, normally /dev/shm) and message queues (files
// of an mqueue filesystem mounted at `mqueue_dir`); an empty path skips that kind.
std::vector<run::Leftover> list_posix_objects(const std::filesystem::path& shm_dir,
                                              const std::filesystem::path& mqueue_dir);

// Removes one object (IPC_RMID; unlink for POSIX objects and files, rmdir for a folder); sets
// `reclaimed` or `reclaim_error`.
void reclaim(run::Leftover& object);

}  // namespace ipcgrade::audit
