#include "grader/sandbox/sandbox.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstring>
#include <sstream>
#include <vector>

#include "grader/util/procfs.hpp"
#include "grader/util/small_file.hpp"

namespace ipcgrade::sandbox {

namespace {

void write_all(int fd, const std::string& text) {
  util::write_all(fd, text.data(), text.size());
}

// Maps the caller's own uid and gid into a new user namespace, so files keep their owners.
bool enter_user_namespace(std::string* error) {
  const uid_t uid = ::geteuid();
  const gid_t gid = ::getegid();
  if (::unshare(CLONE_NEWUSER) != 0) {
    *error = fmt::format("cannot create a user namespace: {}", std::strerror(errno));
    return false;
  }
  if (!util::write_small_file("/proc/self/setgroups", "deny") ||
      !util::write_small_file("/proc/self/uid_map", fmt::format("{} {} 1\n", uid, uid)) ||
      !util::write_small_file("/proc/self/gid_map", fmt::format("{} {} 1\n", gid, gid))) {
    *error = fmt::format("cannot map ids into the user namespace: {}", std::strerror(errno));
    return false;
  }
  return true;
}

// The next pid the kernel hands out in this namespace is one above ns_last_pid. Where /proc/sys is
// read-only (inside a container), spend the small pids instead: pids are handed out in order, so after
// forking up to kFirstPid - 1 the next one is kFirstPid (a few milliseconds of forks).
void move_pids() {
  bool moved = util::write_small_file("/proc/sys/kernel/ns_last_pid", std::to_string(Sandbox::kFirstPid - 1));
  for (pid_t last = 1; !moved && last < Sandbox::kFirstPid - 1;) {
    last = ::fork();
    if (last == 0) ::_exit(0);
    if (last < 0) break;
    moved = last >= Sandbox::kFirstPid - 1;
  }
}

// The init is pid 1 of the run's /proc, the one process there that is not the run's: it shows a name,
// not the grader's command line (which names the assignment's and the submission's folders). The
// command line is the memory between arg_start and arg_end (fields 48 and 49 of /proc/self/stat), a
// copy of the grader's own in this forked process: overwritten in place, as setproctitle does.
void rename_init() {
  constexpr char kName[] = "ipcgrade-init";
  ::prctl(PR_SET_NAME, kName);
  const std::vector<std::string> f = util::proc_stat_fields("self");
  if (f.size() < 47) return;  // f[0] is field 3
  const auto start = std::stoull(f[45]), end = std::stoull(f[46]);
  if (end <= start) return;
  char* args = reinterpret_cast<char*>(start);
  std::memset(args, 0, end - start);
  std::memcpy(args, kName, std::min<size_t>(sizeof kName, end - start) - 1);
}

// The PID namespace's init: reaps orphans, builds the programs' root, then waits to be killed. It
// reports on `ready_fd` either "ok" and the root's step lines ("name\tline"), or "error\t<why>".
[[noreturn]] void run_init(const RootPlan& plan, int ready_fd) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  // Orphans of the run are reparented to this process; ignoring SIGCHLD makes the kernel reap them.
  ::signal(SIGCHLD, SIG_IGN);
  rename_init();
  move_pids();
  StepLines lines;
  std::string error;
  if (!build_new_root(plan, &lines, &error)) {
    write_all(ready_fd, "error\t" + error + "\n");
    ::_exit(1);
  }
  std::string text = "ok\n";
  for (const auto& [name, line] : lines) text += name + "\t" + line + "\n";
  write_all(ready_fd, text);
  ::close(ready_fd);
  for (;;) ::pause();
}

}  // namespace

bool Sandbox::enter_namespaces(std::string* error) {
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
  ::sethostname("ipcgrade", 8);
  return true;
}

bool Sandbox::start(RunMounts& mounts, const RootPlan& root, std::string* error) {
  if (!mounts.setup(error)) return false;
  RootPlan plan = root;
  plan.mqueue_dir = mounts.mqueue_dir();
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
    run_init(plan, ready[1]);
  }
  init_pid_ = pid;
  ::close(ready[1]);
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(ready[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  ::close(ready[0]);
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != "ok") {
    *error = line.rfind("error\t", 0) == 0 ? line.substr(6) : "the namespace's init died before it was ready";
    return false;
  }
  while (std::getline(in, line)) {
    const size_t tab = line.find('\t');
    if (tab != std::string::npos) lines_[line.substr(0, tab)] = line.substr(tab + 1);
  }
  mount_ns_ = ::open(fmt::format("/proc/{}/ns/mnt", pid).c_str(), O_RDONLY | O_CLOEXEC);
  if (mount_ns_ < 0) {
    *error = fmt::format("cannot open the root's mount namespace: {}", std::strerror(errno));
    return false;
  }
  return true;
}

void Sandbox::stop() {
  if (mount_ns_ >= 0) ::close(mount_ns_);
  mount_ns_ = -1;
  if (init_pid_ <= 0) return;
  ::kill(init_pid_, SIGKILL);
  // The init finishes dying only once every process of its namespace is reaped, and those the
  // supervisor started are the supervisor's to reap: reap everything, not just the init.
  while (::waitpid(-1, nullptr, __WALL) > 0 || errno == EINTR) {
  }
  init_pid_ = -1;
}

}  // namespace ipcgrade::sandbox
