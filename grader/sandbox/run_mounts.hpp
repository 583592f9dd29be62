#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "grader/util/copy_tree.hpp"

namespace ipcgrade::sandbox {

// The supervisor's side of a run's filesystem, set up in its own mount namespace (after unsharing
// CLONE_NEWNS and CLONE_NEWIPC) before the init builds the programs' root (see new_root.hpp):
//   - the working folder: with `disk_bytes`, a tmpfs of that size (and a bounded number of files) is
//     mounted over the grader's copy and the copy is copied into it, so that nothing the run writes
//     reaches the host's disk and a full folder is the run's own problem; the supervisor sees it at the
//     same path as the programs, so it reads their executables and audits their folder there;
//   - a private tmpfs on /dev/shm, so POSIX shared memory (shm_open) is the run's own;
//   - a fresh mqueue filesystem for the run's IPC namespace, on /dev/mqueue (or /tmp/.mqueue where that
//     folder does not exist), so POSIX message queues can be listed and removed.
class RunMounts {
 public:
  std::filesystem::path work_dir;
  std::uint64_t disk_bytes = 0;  // 0: the working folder is the caller's own (`run`), bound as it is
  std::uint64_t shm_bytes = 64ULL << 20;

  RunMounts() = default;
  RunMounts(const RunMounts&) = delete;
  RunMounts& operator=(const RunMounts&) = delete;
  ~RunMounts();

  // Returns false with the failed step and its reason in `error`. A copy that does not fit the disk is
  // not a failure: `copied()` says so in its error.
  bool setup(std::string* error);
  // The working folder's content replaces the grader's copy beneath it (after the build). Returns false
  // with the reason when it cannot: `refused` says whether the content itself is to blame (a tree too
  // deep or too large to copy, which the build made) rather than the grader's machinery.
  bool copy_back(std::string* error, bool* refused);
  // Set when the working folder is full (bytes or files): "the working folder is full (256 MiB)".
  std::optional<std::string> full() const;

  const std::filesystem::path& mqueue_dir() const { return mqueue_dir_; }
  const util::CopyResult& copied() const { return copied_; }

 private:
  int beneath_ = -1;  // the grader's copy, under the tmpfs
  std::filesystem::path mqueue_dir_;
  util::CopyResult copied_;
};

}  // namespace ipcgrade::sandbox
