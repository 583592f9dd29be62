#pragma once
#include <filesystem>

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
  std::filesystem::path root_;
  std::filesystem::path work_;
  util::CopyResult copied_;
};

}  // namespace ipcgrade::build
