#include "grader/build/scratch.hpp"

#include <stdlib.h>
#include <sys/stat.h>

#include <cerrno>
#include <string>
#include <system_error>

namespace fs = std::filesystem;

namespace ipcgrade::build {

Scratch::Scratch(const fs::path& submission) {
  std::string tmpl = (fs::temp_directory_path() / "ipcgrade-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::system_error(errno, std::generic_category(), "cannot create " + tmpl);
  root_ = tmpl;
  work_ = root_ / "work";
  // World-traversable so that student programs, which may run under another uid, reach their copy.
  ::chmod(root_.c_str(), 0755);
  fs::copy(submission, work_, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
}

Scratch::~Scratch() {
  std::error_code ec;
  fs::remove_all(root_, ec);
}

}  // namespace ipcgrade::build
