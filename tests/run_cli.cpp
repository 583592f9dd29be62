#include "tests/run_cli.hpp"

#include <stdlib.h>

#include <boost/process.hpp>
#include <chrono>
#include <fstream>

#include "grader/util/atomic_file.hpp"

namespace bp = boost::process;
namespace fs = std::filesystem;

namespace ipcgrade::testing {

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "ipcgrade-test-XXXXXX").string();
  path_ = ::mkdtemp(tmpl.data());
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

fs::path TempDir::write(const std::string& name, const std::string& content, bool executable) const {
  const fs::path p = path_ / name;
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << content;
  if (executable)
    fs::permissions(p, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec,
                    fs::perm_options::add);
  return p;
}

std::vector<pid_t> processes_with(const std::string& needle) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    const std::string cmdline((std::istreambuf_iterator<char>(in)), {});
    if (cmdline.find(needle) != std::string::npos) out.push_back(static_cast<pid_t>(std::stoi(name)));
  }
  return out;
}

CliResult run_ipcgrade(const std::vector<std::string>& args) {
  TempDir io;
  const fs::path out = io.path() / "stdout", err = io.path() / "stderr";
  CliResult r;
  const auto start = std::chrono::steady_clock::now();
  r.code = bp::system(IPCGRADE_BINARY, bp::args(args), bp::std_out > out.string(), bp::std_err > err.string(),
                      bp::std_in < bp::null);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.out = util::read_file(out);
  r.err = util::read_file(err);
  return r;
}

}  // namespace ipcgrade::testing
