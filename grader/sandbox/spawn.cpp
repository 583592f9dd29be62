#include "grader/sandbox/spawn.hpp"

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <linux/securebits.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "grader/util/cpus.hpp"
#include "grader/util/procfs.hpp"

namespace ipcgrade::sandbox {

namespace {

// Async-signal-safe helpers for the child between fork and exec.
void set_limit(int resource, rlim_t value) {
  struct rlimit rl {
    value, value
  };
  ::setrlimit(resource, &rl);
}

// Leaves uid 0 without any capability, now and after exec: the bounding set emptied, the root
// exceptions of exec turned off for good (SECBIT_NOROOT), every set cleared. Inside the run's user
// namespace the capabilities would let a program remount the read-only root writable or write files of
// the grader's uid; without them, uid 0 is an ordinary uid.
bool drop_all_capabilities() {
  for (int cap = 0; cap < 64; ++cap) {
    if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) return false;
  }
  const unsigned long bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
                             SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED;
  if (::prctl(PR_SET_SECUREBITS, bits, 0, 0, 0) != 0) return false;
  ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct none[2] = {};
  return ::syscall(SYS_capset, &header, none) == 0;
}

[[noreturn]] void child_fail(int report_fd, int err) {
  // writev, not write: write on descriptors above 2 may be traced, and the parent is not yet in its
  // wait loop to resume us.
  iovec v{&err, sizeof err};
  (void)!::writev(report_fd, &v, 1);
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

ProcStatus read_proc_status(pid_t pid) {
  ProcStatus st{0, 0, pid};
  const auto status = util::proc_status(std::to_string(pid));
  if (auto it = status.find("Tgid"); it != status.end()) st.tgid = std::stoi(it->second);
  if (auto it = status.find("PPid"); it != status.end()) st.ppid = std::stoi(it->second);
  if (auto it = status.find("NSpid"); it != status.end()) {
    // The pid in each namespace from the host's down: the last is the one the program sees.
    std::istringstream fields(it->second);
    for (pid_t value; fields >> value;) st.inner = value;
  }
  return st;
}

Spawned spawn(const SpawnRequest& request) {
  Spawned s;
  int out[2] = {-1, -1}, err[2] = {-1, -1}, report[2], go[2], ready[2];
  const bool own_stdio = !request.inherit_stdio;
  const int in = own_stdio ? stdin_from(request.stdin_data) : -1;
  if (own_stdio && (in < 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)) {
    s.error = std::string("cannot set up standard input/output: ") + std::strerror(errno);
    if (in >= 0) ::close(in);
    return s;
  }
  ::pipe2(report, O_CLOEXEC);
  ::pipe2(go, O_CLOEXEC);
  ::pipe2(ready, O_CLOEXEC);

  std::vector<char*> argv;
  for (const auto& a : request.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  if (request.env) {
    for (const auto& e : *request.env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
  }
  const std::string cwd = request.cwd.string();
  const auto& limits = request.limits;
  const rlim_t cpu_seconds = static_cast<rlim_t>((limits.cpu.count() + 999) / 1000);

  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(report[0]);
    ::close(ready[0]);
    // The grader is not dumpable (cli/main.cpp), and a tracer without CAP_SYS_PTRACE cannot seize a
    // process that is not: this one is, before the parent seizes it.
    ::prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    ::close(ready[1]);
    sigset_t all;
    sigemptyset(&all);
    ::sigprocmask(SIG_SETMASK, &all, nullptr);
    // Dispositions set to "ignore" survive exec: give the program the defaults.
    for (int sig : {SIGPIPE, SIGCHLD, SIGINT, SIGQUIT, SIGTERM, SIGHUP}) ::signal(sig, SIG_DFL);
    ::close(go[1]);
    if (own_stdio && (::dup2(in, 0) < 0 || ::dup2(out[1], 1) < 0 ||
                      ::dup2(request.merge_stderr ? out[1] : err[1], 2) < 0)) {
      child_fail(report[1], errno);
    }
    // Into the run's root: from here on the host's filesystem is out of reach.
    if (request.mount_namespace >= 0 && ::setns(request.mount_namespace, CLONE_NEWNS) != 0)
      child_fail(report[1], errno);
    // The program starts with 0, 1 and 2 only: descriptors the grader inherited from whatever started
    // it must not leak in (they would also shift the numbers a student's pipe() returns).
    ::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
    // A session of its own (not with `run`, whose program uses the terminal): no controlling terminal,
    // so /dev/tty cannot be opened and no keystroke can be pushed into the instructor's terminal
    // (TIOCSTI); and kill(0, ...) in the program reaches the run's processes, not the grader's.
    if (own_stdio) ::setsid();
    if (request.run_as) {
      const uid_t id = *request.run_as;
      // The uid is the run's alone, so this counts exactly the run's processes; a pids cgroup says
      // when it refused a fork, so it is preferred where there is one.
      if (!request.cgroup || request.cgroup->pids_enforcer().empty())
        set_limit(RLIMIT_NPROC, static_cast<rlim_t>(limits.processes));
      const gid_t also = request.also_group.value_or(id);
      if (::setgroups(request.also_group ? 1 : 0, &also) != 0 || ::setresgid(id, id, id) != 0 ||
          ::setresuid(id, id, id) != 0)
        child_fail(report[1], errno);
    }
    if (::chdir(cwd.c_str()) != 0) child_fail(report[1], errno);
    if (request.cpu >= 0) {  // inherited by every child: the whole run on one CPU
      cpu_set_t one;
      CPU_ZERO(&one);
      CPU_SET(request.cpu, &one);
      ::sched_setaffinity(0, sizeof one, &one);
    }
    if (request.default_slice) util::default_time_slice();
    if (request.nice > 0) ::setpriority(PRIO_PROCESS, 0, request.nice);
    if (request.drop_capabilities && !drop_all_capabilities()) child_fail(report[1], errno);
    if (request.landlock && !request.landlock->restrict_self()) child_fail(report[1], errno);
    // Soft below hard: the program gets SIGXCPU at the limit (which the report can name), and SIGKILL
    // a second later if it ignores that.
    struct rlimit cpu {
      cpu_seconds, cpu_seconds + 1
    };
    ::setrlimit(RLIMIT_CPU, &cpu);
    set_limit(RLIMIT_AS, limits.memory);
    set_limit(RLIMIT_CORE, 0);
    set_limit(RLIMIT_FSIZE, limits.file_size);
    set_limit(RLIMIT_NOFILE, static_cast<rlim_t>(limits.open_files));
    if (request.filter) {
      char byte;
      while (::read(go[0], &byte, 1) < 0 && errno == EINTR) {
      }
      if (!request.filter->install()) child_fail(report[1], errno);
    }
    if (request.env) environ = envp.data();  // execvp searches the program's own PATH
    ::execvp(argv[0], argv.data());
    child_fail(report[1], errno);
  }
  const int fork_errno = errno;
  for (int fd : {in, out[1], err[1], report[1], go[0], ready[1]}) {
    if (fd >= 0) ::close(fd);
  }
  if (pid > 0) {
    char byte;
    while (::read(ready[0], &byte, 1) < 0 && errno == EINTR) {
    }
  }
  ::close(ready[0]);
  if (pid < 0) {
    for (int fd : {out[0], err[0], report[0], go[1]}) {
      if (fd >= 0) ::close(fd);
    }
    s.error = std::string("fork failed: ") + std::strerror(fork_errno);
    return s;
  }
  if (request.filter && ::ptrace(PTRACE_SEIZE, pid, nullptr, kTraceOptions) != 0) {
    s.error = std::string("cannot trace the program: ptrace: ") + std::strerror(errno);
  }
  if (request.cgroup) request.cgroup->add(pid);  // before it runs a line of the program
  ::close(go[1]);  // let the child go on: to its exec, or (ptrace failed) to its end
  // The report pipe closes on a successful exec; otherwise it carries exec's errno.
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(report[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  ::close(report[0]);
  if (n == sizeof child_errno || !s.error.empty()) {
    // A traced child stops at its exit_group: kill it rather than walk it through its end.
    ::kill(pid, SIGKILL);
    int status;
    for (;;) {
      const pid_t got = ::waitpid(pid, &status, __WALL);
      if (got < 0 && errno == EINTR) continue;  // the supervisor's timer: keep waiting
      if (got != pid || WIFEXITED(status) || WIFSIGNALED(status)) break;
    }
    for (int fd : {out[0], err[0]}) {
      if (fd >= 0) ::close(fd);
    }
    // The child's own reason first: a seize that failed because the child had already died says less.
    if (n == sizeof child_errno) s.error = request.argv[0] + ": " + std::strerror(child_errno);
    return s;
  }
  s.pid = pid;
  s.inner_pid = read_proc_status(pid).inner;
  if (own_stdio) {
    // Non-blocking, and O_ASYNC: new output raises SIGIO in the supervisor, waking it from waitpid.
    for (int fd : {out[0], err[0]}) {
      ::fcntl(fd, F_SETOWN, ::getpid());
      ::fcntl(fd, F_SETFL, O_NONBLOCK | O_ASYNC);
    }
  }
  s.stdout_fd = out[0];
  s.stderr_fd = err[0];
  return s;
}

}  // namespace ipcgrade::sandbox
