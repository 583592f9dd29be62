#pragma once
#include <filesystem>

namespace ipcgrade::build {

// A private copy of a submission in a fresh temporary folder, removed when this object goes away.
// Programs are built and run in the copy, so the student's folder is never modified.
class Scratch {
 public:
  explicit Scratch(const std::filesystem::path& submission);
  ~Scratch();
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  const std::filesystem::path& dir() const { return work_; }   // the copy: {submission} in run commands
  const std::filesystem::path& root() const { return root_; }  // holds the copy and grader-private files

 private:
  std::filesystem::path root_;
  std::filesystem::path work_;
};

}  // namespace ipcgrade::build
