#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ipcgrade::supervise {

// The filesystem a scenario sees, set up in its own mount namespace by the supervisor (which must
// already have unshared CLONE_NEWNS and CLONE_NEWIPC):
//   - every mount read-only, except /proc, /sys and /dev, which hold no files a program could change
//     (device nodes stay usable);
//   - the working folder (the scratch copy, or the user's folder for `run`) writable;
//   - a private /tmp: an overlay whose lower layer is the host's /tmp (readable, never changed) and
//     whose upper layer is a tmpfs of `tmp_bytes` that takes the run's writes; the working folder bound
//     back writable at its path when it lies under /tmp;
//   - a private tmpfs on /dev/shm, so POSIX shared memory (shm_open) is the run's own;
//   - a fresh mqueue filesystem for the run's IPC namespace, on /dev/mqueue when that folder exists and
//     on /tmp/.mqueue otherwise, so POSIX message queues can be listed and removed.
// Best effort where the kernel refuses a step (inside some containers): returns false with a reason
// only when the private /dev/shm or the working folder cannot be set up.
struct RunMounts {
  std::filesystem::path work_dir;
  // Folders under /tmp that must stay visible behind the private /tmp, besides the working folder (the
  // program's own folder for `run`); bound back read-only.
  std::vector<std::filesystem::path> keep;
  std::uint64_t tmp_bytes = 64ULL << 20;
  std::filesystem::path mqueue_dir;  // set by setup(): where the run's mqueue filesystem is mounted
  bool read_only = false;            // set by setup(): the rest of the filesystem was made read-only

  bool setup(std::string* error);
};

}  // namespace ipcgrade::supervise
