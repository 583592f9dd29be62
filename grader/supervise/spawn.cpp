#include "grader/supervise/spawn.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace ipcgrade::supervise {

namespace {

// Async-signal-safe helpers for the child between fork and exec.
void set_limit(int resource, rlim_t value) {
  struct rlimit rl {
    value, value
  };
  ::setrlimit(resource, &rl);
}

[[noreturn]] void child_fail(int report_fd, int err) {
  (void)!::write(report_fd, &err, sizeof err);
  ::_exit(127);
}

int stdin_from(const std::string& data) {
  // A memory file rather than a pipe: the program may read its input at any pace, or never.
  int fd = ::memfd_create("ipcgrade-stdin", MFD_CLOEXEC);
  if (fd < 0) return -1;
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n <= 0) {
      ::close(fd);
      return -1;
    }
    done += static_cast<size_t>(n);
  }
  ::lseek(fd, 0, SEEK_SET);
  return fd;
}

}  // namespace

pid_t inner_pid_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("NSpid:", 0) != 0) continue;
    std::istringstream fields(line.substr(6));
    pid_t last = pid, value;
    while (fields >> value) last = value;
    return last;
  }
  return pid;
}

Spawned spawn(const SpawnRequest& request) {
  Spawned s;
  int out[2], err[2], report[2];
  const int in = stdin_from(request.stdin_data);
  if (in < 0 || ::pipe2(out, O_CLOEXEC) != 0) {
    s.error = std::string("cannot set up standard input/output: ") + std::strerror(errno);
    if (in >= 0) ::close(in);
    return s;
  }
  ::pipe2(err, O_CLOEXEC);
  ::pipe2(report, O_CLOEXEC);

  std::vector<char*> argv;
  for (const auto& a : request.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const std::string cwd = request.cwd.string();
  const auto& limits = request.limits;
  const rlim_t cpu_seconds = static_cast<rlim_t>((limits.cpu.count() + 999) / 1000);

  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(report[0]);
    sigset_t all;
    sigemptyset(&all);
    ::sigprocmask(SIG_SETMASK, &all, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    ::signal(SIGCHLD, SIG_DFL);
    if (::dup2(in, 0) < 0 || ::dup2(out[1], 1) < 0 || ::dup2(err[1], 2) < 0) child_fail(report[1], errno);
    if (::chdir(cwd.c_str()) != 0) child_fail(report[1], errno);
    set_limit(RLIMIT_CPU, cpu_seconds);
    set_limit(RLIMIT_AS, limits.memory);
    set_limit(RLIMIT_CORE, 0);
    ::execvp(argv[0], argv.data());
    child_fail(report[1], errno);
  }
  const int fork_errno = errno;
  ::close(in);
  ::close(out[1]);
  ::close(err[1]);
  ::close(report[1]);
  if (pid < 0) {
    ::close(out[0]);
    ::close(err[0]);
    ::close(report[0]);
    s.error = std::string("fork failed: ") + std::strerror(fork_errno);
    return s;
  }
  // The report pipe closes on a successful exec; otherwise it carries exec's errno.
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(report[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  ::close(report[0]);
  if (n == sizeof child_errno) {
    ::waitpid(pid, nullptr, 0);
    ::close(out[0]);
    ::close(err[0]);
    s.error = request.argv[0] + ": " + std::strerror(child_errno);
    return s;
  }
  s.pid = pid;
  s.inner_pid = inner_pid_of(pid);
  ::fcntl(out[0], F_SETFL, O_NONBLOCK);
  ::fcntl(err[0], F_SETFL, O_NONBLOCK);
  s.stdout_fd = out[0];
  s.stderr_fd = err[0];
  return s;
}

}  // namespace ipcgrade::supervise
