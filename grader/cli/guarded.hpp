#pragma once
// A grading that cannot leave nothing behind: the work runs in a child process, and when that child dies
// (a signal, an exception that escaped, a hang past its time), the parent still writes what the command
// promised — the report, the exports — says why, and removes the child's scratch folder.
#include <chrono>
#include <functional>
#include <string>

namespace ipcgrade::cli {

// Runs `work` in a child and returns its exit code (0 to 3). When the child fails, calls `on_fault`
// with the reason ("the grading process was killed by signal 11 (Segmentation fault)") and returns 3.
int run_guarded(const std::function<int()>& work, std::chrono::seconds limit,
                const std::function<void(const std::string& why)>& on_fault);

}  // namespace ipcgrade::cli
