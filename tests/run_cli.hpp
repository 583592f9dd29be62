#pragma once
#include <sys/types.h>
#include <chrono>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ipcgrade::testing {

struct CliResult {
  int code = -1;
  std::string out;
  std::string err;
  double seconds = 0;
  long peak_kib = 0;  // the largest resident set of the grader and the processes it waited for
};

// Runs the ipcgrade binary under test with `args`, as a user would from a shell; with a `wrapper`
// (capsh --drop=... --shell=BINARY --, say), runs the wrapper with `args` instead.
CliResult run_ipcgrade(const std::vector<std::string>& args, const std::vector<std::string>& wrapper = {});

// Runs ipcgrade once for each of `runs` and gives their results in the same order: two at a time where
// each grading has IPC namespaces of its own, one at a time where any runs in tracked mode (asked with
// `--isolation tracked`, or the machine has no namespaces), whose objects are the host's: two gradings of
// one submission there would make the same key.
std::vector<CliResult> run_ipcgrade_each(const std::vector<std::vector<std::string>>& runs);

// What a terminal showed while the ipcgrade binary ran in it.
struct TerminalResult {
  int status = 0;       // as waitpid reports it
  bool killed = false;  // it did not end within the limit and was killed
  std::string screen;   // everything the terminal showed, what was typed and echoed included
};
// Runs the ipcgrade binary with `args` as a user at a terminal does: in a session of its own whose
// controlling terminal is a pseudo-terminal. `on_screen` is called as the screen grows, with the screen
// so far and the terminal's descriptor (to type into it); the binary is killed after `limit`.
TerminalResult run_in_terminal(
    const std::vector<std::string>& args, std::chrono::seconds limit,
    const std::function<void(const std::string& screen, int terminal)>& on_screen = {},
    unsigned short columns = 80);

// A temporary folder removed at the end of the test.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path write(const std::string& name, const std::string& content,
                              bool executable = false) const;

 private:
  std::filesystem::path path_;
};

// Whether this machine lets the grader load the BPF observer (root on a host with BTF, not a container).
bool observer_loadable();

// Whether this machine lets a process make the namespaces of namespaces mode (a container whose seccomp
// profile refuses unshare does not: there `auto` grades in tracked mode).
bool namespaces_available();

// For a test whose expectations are namespaces mode's own (pids from 1000, IPC ids from 0, an IPC
// namespace of the run's): skipped, saying so, where the machine refuses namespaces. The attack suites,
// which run in both modes, hold tracked mode there.
#define IPCGRADE_SKIP_WITHOUT_NAMESPACES()                                                                \
  if (!::ipcgrade::testing::namespaces_available())                                                       \
  GTEST_SKIP() << "this machine refuses namespaces; the test's expectations are namespaces mode's (pids " \
                  "from 1000, IPC ids from 0)"

// The whole content of a file ("" when it cannot be read). Through the stream buffer, not a character
// iterator: the test drivers are compiled without optimisation, and they read the 50 MB grader binary.
std::string read_whole(const std::filesystem::path& path);

// The pids of the processes whose command line (arguments joined by NUL) contains `needle`.
std::vector<pid_t> processes_with(const std::string& needle);

inline std::filesystem::path sample(const std::string& relative) {
  return std::filesystem::path(SOURCE_DIR) / "assignments" / relative;
}

}  // namespace ipcgrade::testing
