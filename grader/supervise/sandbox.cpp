#include "grader/supervise/sandbox.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstring>

namespace ipcgrade::supervise {

namespace {

bool write_proc(const char* path, const std::string& text) {
  int fd = ::open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  return ok;
}

// Maps the caller's own uid and gid into a new user namespace, so files keep their owners.
bool enter_user_namespace(std::string* error) {
  const uid_t uid = ::geteuid();
  const gid_t gid = ::getegid();
  if (::unshare(CLONE_NEWUSER) != 0) {
    *error = fmt::format("cannot create a user namespace: {}", std::strerror(errno));
    return false;
  }
  if (!write_proc("/proc/self/setgroups", "deny") ||
      !write_proc("/proc/self/uid_map", fmt::format("{} {} 1\n", uid, uid)) ||
      !write_proc("/proc/self/gid_map", fmt::format("{} {} 1\n", gid, gid))) {
    *error = fmt::format("cannot map ids into the user namespace: {}", std::strerror(errno));
    return false;
  }
  return true;
}

[[noreturn]] void run_init(int ready_fd) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  // Orphans of the run are reparented to this process; ignoring SIGCHLD makes the kernel reap them.
  ::signal(SIGCHLD, SIG_IGN);
  // The next pid the kernel hands out in this namespace is one above ns_last_pid. Where /proc/sys is
  // read-only (inside a container), spend the small pids instead: pids are handed out in order, so
  // after forking up to kFirstPid - 1 the next one is kFirstPid (a few milliseconds of forks).
  bool moved = write_proc("/proc/sys/kernel/ns_last_pid", std::to_string(Sandbox::kFirstPid - 1));
  for (pid_t last = 1; !moved && last < Sandbox::kFirstPid - 1;) {
    last = ::fork();
    if (last == 0) ::_exit(0);
    if (last < 0) break;
    moved = last >= Sandbox::kFirstPid - 1;
  }
  const char status = moved ? 'y' : 'n';
  (void)!::write(ready_fd, &status, 1);
  ::close(ready_fd);
  for (;;) ::pause();
}

}  // namespace

bool Sandbox::enter(RunMounts& mounts, std::string* error) {
  constexpr int kFlags = CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWNS;
  if (::geteuid() != 0 && !enter_user_namespace(error)) return false;
  if (::unshare(kFlags) != 0) {
    // Root without CAP_SYS_ADMIN (a container's default profile) may still make a user namespace
    // and the others inside it.
    const int first = errno;
    if (::geteuid() != 0 || first != EPERM || !enter_user_namespace(error) || ::unshare(kFlags) != 0) {
      *error =
          fmt::format("cannot create IPC, UTS, network, PID and mount namespaces: {}", std::strerror(first));
      return false;
    }
    own_user_namespace_ = true;
  }
  if (::geteuid() != 0) own_user_namespace_ = true;
  if (!mounts.setup(error)) return false;
  ::sethostname("ipcgrade", 8);
  int ready[2];
  if (::pipe2(ready, O_CLOEXEC) != 0) {
    *error = fmt::format("pipe: {}", std::strerror(errno));
    return false;
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    *error = fmt::format("cannot start the namespace's init: {}", std::strerror(errno));
    return false;
  }
  if (pid == 0) {
    ::close(ready[0]);
    run_init(ready[1]);
  }
  init_pid_ = pid;
  ::close(ready[1]);
  char status = 0;
  ssize_t n;
  do {
    n = ::read(ready[0], &status, 1);
  } while (n < 0 && errno == EINTR);
  ::close(ready[0]);
  if (n != 1) {
    *error = "the namespace's init died before it was ready";
    return false;
  }
  return true;
}

void Sandbox::stop() {
  if (init_pid_ <= 0) return;
  ::kill(init_pid_, SIGKILL);
  // The init finishes dying only once every process of its namespace is reaped, and those the
  // supervisor started are the supervisor's to reap: reap everything, not just the init.
  while (::waitpid(-1, nullptr, __WALL) > 0 || errno == EINTR) {
  }
  init_pid_ = -1;
}

}  // namespace ipcgrade::supervise
