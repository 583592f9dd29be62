#include "grader/build/build.hpp"

#include <signal.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <chrono>

#include "grader/util/atomic_file.hpp"

namespace bp = boost::process;
namespace fs = std::filesystem;

namespace ipcgrade::build {

namespace {
constexpr size_t kMaxLog = 256 * 1024;

std::string cap_log(std::string log) {
  if (log.size() <= kMaxLog) return log;
  const size_t cut = log.size() - kMaxLog;
  log.resize(kMaxLog);
  return log + fmt::format("\n[... {} bytes cut ...]\n", cut);
}
}  // namespace

BuildResult run_build(const config::BuildSpec& spec, const fs::path& dir) {
  BuildResult result;
  // The log lives beside the copy, not in it, so the build cannot trip over it.
  const fs::path log_path = dir.parent_path() / "build.log";
  bp::environment env = boost::this_process::environment();
  // -g so evidence can name source lines; -O0 so those lines are the ones the student wrote.
  env["CFLAGS"] = "-g -O0";
  env["CXXFLAGS"] = "-g -O0";
  const auto start = std::chrono::steady_clock::now();
  spdlog::debug("build: sh -c '{}' in {}", spec.command, dir.string());
  std::error_code ec;
  bp::child child(
      "/bin/sh", "-c", spec.command, bp::start_dir = dir.string(), env,
      bp::std_in<bp::null, (bp::std_out & bp::std_err)> log_path.string(),
      // Its own process group, so a timeout kills make and every compiler it started.
      bp::extend::on_exec_setup = [](auto&) { ::setpgid(0, 0); }, ec);
  if (ec) {
    result.status = "failed";
    result.log = "could not start /bin/sh: " + ec.message();
    return result;
  }
  const pid_t pgid = child.id();
  if (!child.wait_for(spec.timeout, ec)) {
    ::kill(-pgid, SIGKILL);
    child.wait(ec);
    result.status = "timeout";
  } else {
    ::kill(-pgid, SIGKILL);  // whatever the build left running in the background
    result.exit_code = child.exit_code();
    result.status = result.exit_code == 0 ? "ok" : "failed";
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  try {
    result.log = cap_log(util::read_file(log_path));
  } catch (const std::exception&) {
  }
  if (result.status == "timeout") {
    result.log +=
        fmt::format("\n[build stopped: it ran longer than its {} ms time limit]\n", spec.timeout.count());
  } else if (result.status == "failed") {
    result.log += fmt::format("\n[build command exited with code {}]\n", result.exit_code);
  }
  return result;
}

}  // namespace ipcgrade::build
