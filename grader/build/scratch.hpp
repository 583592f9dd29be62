#pragma once
#include <filesystem>
#include <vector>

#include "grader/util/copy_tree.hpp"

namespace ipcgrade::build {

// A private copy of a submission in a fresh temporary folder, removed when this object goes away (also
// when the copy fails half-way). Programs are built and run from the copy, so the student's folder is
// never modified. The copy is a careful one (see copy_tree): only regular files, folders and links that
// stay inside the submission, and nothing at all when the submission is larger than `max_bytes`.
class Scratch {
 public:
  Scratch(const std::filesystem::path& submission, std::uint64_t max_bytes);
  ~Scratch();
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  const std::filesystem::path& dir() const { return work_; }   // the copy: {submission} in run commands
  const std::filesystem::path& root() const { return root_; }  // holds the copy and grader-private files
  const util::CopyResult& copied() const { return copied_; }   // what was copied, skipped or refused

 private:
  int lock_ = -1;  // flock on root/.lock for as long as this grader lives: see reclaim_orphan_scratches
  std::filesystem::path root_;
  std::filesystem::path work_;
  util::CopyResult copied_;
};

// Removes the scratch folders of graders that were killed (SIGKILL leaves no chance to clean up): every
// `ipcgrade-*` folder of this uid under the temporary folder whose `.lock` no process holds any more.
// A live grader holds its lock from before the lock file has its name, so it is never taken for dead,
// even by a grader in another PID namespace sharing the folder. Returns the folders removed.
std::vector<std::filesystem::path> reclaim_orphan_scratches();

}  // namespace ipcgrade::build
