#include "grader/build/scratch.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

namespace fs = std::filesystem;

namespace ipcgrade::build {

Scratch::Scratch(const fs::path& submission, std::uint64_t max_bytes) {
  std::string tmpl = (fs::temp_directory_path() / "ipcgrade-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::system_error(errno, std::generic_category(), "cannot create " + tmpl);
  root_ = tmpl;
  work_ = root_ / "work";
  try {
    // World-traversable so that student programs, which may run under another uid, reach their copy.
    ::chmod(root_.c_str(), 0755);
    fs::create_directory(work_);
    const int from = ::open(submission.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (from < 0)
      throw std::system_error(errno, std::generic_category(),
                              "cannot open the submission " + submission.string());
    const int to = ::open(work_.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    copied_ = util::copy_tree(from, fs::weakly_canonical(submission).string(), to, {max_bytes});
    ::close(from);
    if (to >= 0) ::close(to);
    if (!copied_.error.empty())
      throw std::runtime_error("cannot copy the submission into " + work_.string() + ": " + copied_.error);
  } catch (...) {
    std::error_code ec;
    fs::remove_all(root_, ec);
    throw;
  }
}

Scratch::~Scratch() {
  std::error_code ec;
  fs::remove_all(root_, ec);
}

}  // namespace ipcgrade::build
