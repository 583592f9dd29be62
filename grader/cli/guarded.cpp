#include "grader/cli/guarded.hpp"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "grader/audit/journal.hpp"
#include "grader/build/scratch.hpp"
#include "grader/cli/commands.hpp"
#include "grader/config/error.hpp"
#include "grader/runner/scenario.hpp"

namespace ipcgrade::cli {

namespace {

constexpr int kEscaped = 70;  // the child's code for an exception that escaped the work (EX_SOFTWARE)

[[noreturn]] void leave(int code) {
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  ::_exit(code);
}

}  // namespace

int run_guarded(const std::function<int()>& work, std::chrono::seconds limit,
                const std::function<void(const std::string& why)>& on_fault) {
  std::cout.flush();
  const pid_t parent = ::getpid();
  const pid_t child = ::fork();
  if (child < 0) return work();  // no child to be had: grade in this process, unguarded
  if (child == 0) {
    // A grader killed outright (SIGKILL) takes its grading, and so its runs, along.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(kExitInternal);
    // The orphans of the runs come back to the process that grades (a subreaper is not inherited).
    runner::become_subreaper();
    try {
      leave(work());
    } catch (const config::ConfigError& e) {
      std::cerr << e.what() << "\n";
      leave(kExitUsage);
    } catch (const std::exception& e) {
      std::cerr << "ipcgrade: internal error: " << e.what() << "\n";
      leave(kEscaped);
    }
  }
  const auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  bool timed_out = false;
  for (;;) {
    const pid_t done = ::waitpid(child, &status, WNOHANG);
    if (done == child) break;
    if (done < 0 && errno != EINTR) return kExitInternal;
    // Nothing else is reaped here: waitpid(-1) could take the child's own end, and its status with it.
    // The runs' orphans go to the child, a subreaper of its own.
    if (std::chrono::steady_clock::now() >= deadline) {
      timed_out = true;
      ::kill(child, SIGKILL);  // its scenarios' supervisors die with it (PR_SET_PDEATHSIG)
      ::waitpid(child, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (!timed_out && WIFEXITED(status) && WEXITSTATUS(status) <= kExitInternal) return WEXITSTATUS(status);
  const std::string why =
      timed_out ? fmt::format("the grading process took more than {} s and was killed", limit.count())
      : WIFSIGNALED(status) ? fmt::format("the grading process was killed by signal {} ({})",
                                          WTERMSIG(status), ::strsignal(WTERMSIG(status)))
      : WEXITSTATUS(status) == kEscaped
          ? std::string("the grading process failed with an internal error (see above)")
          : fmt::format("the grading process exited with code {}", WEXITSTATUS(status));
  // What the dead grader left: its scratch folder (its lock is free now) and, in tracked mode, the IPC
  // objects its journal names.
  for (const auto& folder : build::reclaim_orphan_scratches())
    std::cerr << "ipcgrade: removed " << folder.string() << ", the scratch folder of the failed grading\n";
  audit::reclaim_orphans();
  on_fault(why);
  std::cerr
      << "ipcgrade: internal error: " << why
      << ". The grade is not valid. This is a fault of the grader, not of the submission; please report it "
         "with the command line.\n";
  return kExitInternal;
}

}  // namespace ipcgrade::cli
