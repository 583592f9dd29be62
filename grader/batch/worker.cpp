#include "grader/batch/worker.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <cerrno>
#include <cstdlib>

#include <spdlog/spdlog.h>

namespace bp = boost::process;

namespace ipcgrade::batch {

namespace {

constexpr const char* kSecret = "IPCGRADE_KEY_SECRET";

// This very binary, by its path (a process listing shows the worker as ipcgrade).
std::string self() {
  std::error_code ec;
  const auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("/proc/self/exe") : path.string();
}

int verbosity() {
  const auto level = spdlog::get_level();
  return level <= spdlog::level::debug ? 2 : level <= spdlog::level::info ? 1 : 0;
}

}  // namespace

struct Worker::Child {
  bp::group group;
  bp::child child;
  std::optional<int> status;
};

Worker::Worker(const std::vector<std::string>& words, const std::filesystem::path& log)
    : child_(std::make_unique<Child>()) {
  bp::opstream order;
  // A copy of this process's environment (this_process::environment() itself is the live one).
  bp::environment env = boost::this_process::environment();
  const char* given = std::getenv(kSecret);
  const std::string secret = given ? given : "";
  env.erase(kSecret);
  child_->child = bp::child(
      bp::exe = self(), bp::args = {"grade-worker"}, env, bp::std_in<order, bp::std_out> bp::null,
      bp::std_err > log.string(), child_->group,
      // A killed batch takes its workers (and their runs) along.
      bp::extend::on_exec_setup = [](auto&) { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
  // NUL-separated: the secret, the verbosity, then grade's arguments.
  order << secret << '\0' << verbosity() << '\0';
  for (const auto& w : words) order << w << '\0';
  order.flush();
  order.pipe().close();
}

Worker::~Worker() {
  if (child_ && !child_->status) kill();
}
Worker::Worker(Worker&&) noexcept = default;
Worker& Worker::operator=(Worker&&) noexcept = default;

pid_t Worker::pid() const {
  return child_->child.id();
}

void Worker::reaped(int status) {
  child_->child.detach();  // reaped by the batch: Boost.Process must not wait for it again
  child_->status = status;
}

std::optional<int> Worker::status() const {
  return child_->status;
}

void Worker::kill() {
  std::error_code ec;
  child_->group.terminate(ec);
  int status = 0;
  while (::waitpid(child_->child.id(), &status, 0) < 0 && errno == EINTR) {
  }
  child_->child.detach();
  child_->status = status;
}

std::optional<WorkerOrder> read_worker_order(int fd) {
  std::string all;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      all.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  std::vector<std::string> fields;
  size_t at = 0;
  for (size_t nul; (nul = all.find('\0', at)) != std::string::npos; at = nul + 1)
    fields.push_back(all.substr(at, nul - at));
  if (fields.size() < 2) return std::nullopt;
  WorkerOrder order;
  order.secret = fields[0];
  order.verbosity = std::atoi(fields[1].c_str());
  order.words.assign(fields.begin() + 2, fields.end());
  return order;
}

}  // namespace ipcgrade::batch
