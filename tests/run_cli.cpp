#include "tests/run_cli.hpp"

#include <boost/process.hpp>

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "grader/observer/observer.hpp"
#include "grader/util/atomic_file.hpp"

namespace fs = std::filesystem;

namespace ipcgrade::testing {

namespace {

// Reaps every child of the test process that has ended: orphans of graders a test killed on purpose
// come back here (the test process is a subreaper), and in a container whose PID 1 never reaps they
// would otherwise stay zombies.
void reap_ended_children() {
  while (::waitpid(-1, nullptr, WNOHANG) > 0) {
  }
}

// At exit, waits up to two seconds for the last of them, so that none is handed to PID 1 a zombie.
const bool kSubreaper = [] {
  const bool on = ::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0;
  std::atexit([] {
    for (int i = 0; i < 40; ++i) {
      pid_t pid;
      while ((pid = ::waitpid(-1, nullptr, WNOHANG)) > 0) {
      }
      if (pid < 0) return;  // no child left
      ::usleep(50000);
    }
  });
  return on;
}();

}  // namespace

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

bool observer_loadable() {
  static const bool loadable = [] {
    if (!observer::Observer::unavailable().empty()) return false;
    try {
      observer::Observer probe({});
      return true;
    } catch (const std::exception&) {
      return false;  // a container runtime's seccomp profile refuses bpf() to a root with the capabilities
    }
  }();
  return loadable;
}

bool namespaces_available() {
  static const bool available = [] {
    const pid_t pid = ::fork();
    if (pid == 0)
      ::_exit(::unshare(CLONE_NEWUSER) == 0 || ::unshare(CLONE_NEWIPC | CLONE_NEWPID) == 0 ? 0 : 1);
    int status = 1;
    while (pid > 0 && ::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }();
  return available;
}

std::vector<pid_t> processes_with(const std::string& needle) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string cmdline = read_whole(entry.path() / "cmdline");
    if (cmdline.find(needle) != std::string::npos) out.push_back(static_cast<pid_t>(std::stoi(name)));
  }
  return out;
}

std::string read_whole(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  if (in) out << in.rdbuf();
  return out.str();
}

namespace {

// One ipcgrade started, its stdout and stderr going to files of a folder of its own.
struct Started {
  std::unique_ptr<TempDir> io = std::make_unique<TempDir>();
  pid_t pid = -1;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
};

Started start_ipcgrade(const std::vector<std::string>& args, const std::vector<std::string>& wrapper) {
  Started s;
  // Started with Boost.Process; reaped with wait4 rather than its wait(), because wait4 says how much
  // memory the grader took.
  std::vector<std::string> words = wrapper.empty() ? std::vector<std::string>{IPCGRADE_BINARY} : wrapper;
  words.insert(words.end(), args.begin(), args.end());
  std::error_code ec;
  boost::process::child child(
      boost::process::exe = words[0],
      boost::process::args = std::vector<std::string>(words.begin() + 1, words.end()),
      boost::process::std_in<boost::process::null, boost::process::std_out>(s.io->path() / "stdout").string(),
      boost::process::std_err > (s.io->path() / "stderr").string(), ec);
  if (!ec) {
    s.pid = child.id();
    child.detach();  // reaped by finish_ipcgrade
  }
  return s;
}

// Its result, once it ended (`status` and `usage` as wait4 gave them; `reaped` false: no status, code -1).
CliResult finish_ipcgrade(const Started& s, int status, const rusage& usage, bool reaped = true) {
  CliResult r;
  if (s.pid > 0 && reaped) {
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.peak_kib = usage.ru_maxrss;
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - s.start).count();
  r.out = util::read_file(s.io->path() / "stdout");
  r.err = util::read_file(s.io->path() / "stderr");
  return r;
}

}  // namespace

CliResult run_ipcgrade(const std::vector<std::string>& args, const std::vector<std::string>& wrapper) {
  const Started s = start_ipcgrade(args, wrapper);
  int status = 0;
  rusage usage{};
  if (s.pid > 0) {
    while (::wait4(s.pid, &status, 0, &usage) < 0 && errno == EINTR) {
    }
  }
  if (kSubreaper) reap_ended_children();
  return finish_ipcgrade(s, status, usage);
}

std::vector<CliResult> run_ipcgrade_each(const std::vector<std::vector<std::string>>& runs) {
  bool tracked = !namespaces_available();
  for (const auto& args : runs) {
    for (size_t i = 0; i + 1 < args.size(); ++i)
      tracked = tracked || (args[i] == "--isolation" && args[i + 1] == "tracked");
  }
  const size_t jobs = tracked ? 1 : 2;
  std::vector<CliResult> results(runs.size());
  std::vector<std::pair<size_t, Started>> running;
  size_t next = 0;
  while (next < runs.size() || !running.empty()) {
    while (next < runs.size() && running.size() < jobs) {
      running.emplace_back(next, start_ipcgrade(runs[next], {}));
      ++next;
    }
    // Each is waited for by its own pid: a wait for any child would reap the orphans this process
    // adopts as a subreaper, or a run of another.
    bool ended = false;
    for (auto it = running.begin(); it != running.end();) {
      int status = 0;
      rusage usage{};
      const pid_t pid = it->second.pid > 0 ? ::wait4(it->second.pid, &status, WNOHANG, &usage) : -1;
      if (pid == 0 || (pid < 0 && errno == EINTR && it->second.pid > 0)) {
        ++it;
        continue;
      }
      results[it->first] = finish_ipcgrade(it->second, status, usage, pid > 0);
      it = running.erase(it);
      ended = true;
    }
    if (!ended) ::usleep(5000);
  }
  if (kSubreaper) reap_ended_children();
  return results;
}

TerminalResult run_in_terminal(const std::vector<std::string>& args, std::chrono::seconds limit,
                               const std::function<void(const std::string& screen, int terminal)>& on_screen,
                               unsigned short columns) {
  std::vector<std::string> words = {"ipcgrade"};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  TerminalResult result;
  int master = -1;
  winsize size{};
  size.ws_row = 24;
  size.ws_col = columns;
  const pid_t pid = ::forkpty(&master, nullptr, nullptr, &size);
  if (pid < 0) {
    result.killed = true;
    result.screen = std::string("forkpty: ") + std::strerror(errno);
    return result;
  }
  if (pid == 0) {
    ::execv(IPCGRADE_BINARY, argv.data());
    ::_exit(127);
  }
  const auto start = std::chrono::steady_clock::now();
  bool exited = false;
  for (;;) {
    pollfd p{master, POLLIN, 0};
    if (::poll(&p, 1, 50) > 0) {
      char buf[4096];
      const ssize_t n = ::read(master, buf, sizeof buf);
      if (n > 0) result.screen.append(buf, static_cast<size_t>(n));
      if (n <= 0 && exited) break;  // EIO: the grader's side of the terminal is closed
    } else if (exited) {
      break;
    }
    if (!exited && on_screen) on_screen(result.screen, master);
    if (!exited && ::waitpid(pid, &result.status, WNOHANG) == pid) exited = true;
    if (!exited && std::chrono::steady_clock::now() - start > limit) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &result.status, 0);
      exited = result.killed = true;
    }
  }
  ::close(master);
  return result;
}

}  // namespace ipcgrade::testing
