// Namespaces mode: the run has an IPC, PID, mount and network namespace of its own and a new root
// (run_scenario.cpp made them). What it left is whatever is in its namespace; the end of its PID
// namespace takes every process along.
#include <signal.h>

#include <fmt/format.h>

#include "grader/audit/files.hpp"
#include "grader/audit/sysv.hpp"
#include "grader/runner/run_containment.hpp"
#include "grader/sandbox/run_mounts.hpp"
#include "grader/util/units.hpp"

namespace ipcgrade::runner {

namespace {

class Namespaces final : public RunContainment {
 public:
  explicit Namespaces(const RunParts& parts) : parts_(parts) {}

  std::string_view mode() const override { return "namespaces"; }

  void set_up(std::optional<sandbox::Landlock>& landlock) override {
    // The new root holds only what the file-system policy binds: a symlink there cannot lead out.
    if (landlock) landlock->symlinks = true;
  }

  void describe(std::map<std::string, std::string>& e,
                const std::optional<sandbox::Landlock>&) const override {
    e["network"] = "network namespace without interfaces";
    e["disk"] = disk_line(parts_, "not enforced (the working folder is the caller's own)");
    e["files"] = "a root of its own: only the system folders (read-only) and the working folder";
  }

  void settle(const std::function<void()>&, const std::function<void(pid_t, int)>&) override {}

  void kill_all() override { ::kill(parts_.box.init, SIGKILL); }

  void stopped_after_kill(pid_t) override {}  // the end of its PID namespace follows

  // Everything in its IPC namespace and its private /dev/shm and mqueue, and the FIFOs it made.
  std::vector<run::Leftover> leftovers(const TraceIndex& index) override {
    auto all = audit::list_sysv_objects();
    for (auto& posix : audit::list_posix_objects("/dev/shm", parts_.box.mqueue_dir)) all.push_back(posix);
    add_fifos(all, parts_, index, {parts_.context.work_dir}, /*tmp_went_with_it=*/true, nullptr);
    return all;
  }

  bool removed_as_run(const std::string&) const override { return false; }

  void done() override {}

 private:
  RunParts parts_;
};

}  // namespace

std::unique_ptr<RunContainment> namespaces_containment(const RunParts& parts) {
  return std::make_unique<Namespaces>(parts);
}

}  // namespace ipcgrade::runner
