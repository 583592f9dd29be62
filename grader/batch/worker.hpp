#pragma once
// A batch's worker: `ipcgrade grade` of one student, started with Boost.Process as `ipcgrade
// grade-worker` (an ordinary child: no sandbox of its own, which the grading inside it makes). What it
// grades comes over its standard input, not its command line, so that no process listing names the
// student; the key secret comes the same way, not in its environment, which is readable for the moment
// between exec and the worker making itself not dumpable (cli/main.cpp). The worker's stderr is the
// student's grader.log; it dies with the batch (PR_SET_DEATHSIG) and with its group on Ctrl-C.
#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ipcgrade::batch {

class Worker {
 public:
  // Starts one: `words` are `ipcgrade grade`'s arguments (without the program's name).
  Worker(const std::vector<std::string>& words, const std::filesystem::path& log);
  ~Worker();
  Worker(Worker&&) noexcept;
  Worker& operator=(Worker&&) noexcept;

  pid_t pid() const;
  // The batch reaped it (its waitpid(-1) also reaps the orphans its workers leave, the batch being a
  // subreaper): its wait status, kept.
  void reaped(int status);
  std::optional<int> status() const;
  // Kills it (and what it started in its group) and waits for it.
  void kill();

 private:
  struct Child;
  std::unique_ptr<Child> child_;
};

// The worker's side (`ipcgrade grade-worker`): reads what Worker sent. `secret` is the class's key
// secret ("" for none), `verbosity` the batch's -v count.
struct WorkerOrder {
  std::string secret;
  int verbosity = 0;
  std::vector<std::string> words;
};
std::optional<WorkerOrder> read_worker_order(int fd);

}  // namespace ipcgrade::batch
