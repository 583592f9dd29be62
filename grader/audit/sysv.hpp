#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "grader/run/result.hpp"

namespace ipcgrade::audit {

// Every System V message queue, shared memory segment and semaphore set visible in the calling
// process's IPC namespace, from /proc/sysvipc/{msg,shm,sem}. Pids are as the caller's PID namespace
// sees them (`creator_pid` holds the shm creator's pid; the kernel records no creator for msg and sem).
std::vector<run::Leftover> list_sysv_objects();

// Whether the POSIX object `object` names (kind and name) exists on the host as the very file the run
// made (`file_dev`/`file_ino`, when known) and, with `owner` >= 0, owned by that uid: fills in its path
// (/dev/shm/NAME, /dev/shm/sem.NAME; none for a queue, removed by name), mode, owner and size.
bool find_posix_object(run::Leftover& object, long owner = -1);

// The POSIX shared memory objects (files in `shm_dir`, normally /dev/shm) and message queues (files
// of an mqueue filesystem mounted at `mqueue_dir`); an empty path skips that kind.
std::vector<run::Leftover> list_posix_objects(const std::filesystem::path& shm_dir,
                                              const std::filesystem::path& mqueue_dir);

// Removes one object (IPC_RMID; unlink for POSIX objects and files, rmdir for a folder); sets
// `reclaimed` or `reclaim_error`.
void reclaim(run::Leftover& object);

}  // namespace ipcgrade::audit
