#pragma once
// What differs between the two ways a run is contained, behind one interface: namespaces (a world of
// its own: IPC, PID, mount and network namespaces, a new root) and tracked mode (the host's world,
// held by the tracer's guard, Landlock and a journal). The supervisor's loop is the same for both; the
// mode is chosen in one place, make_containment(). nsjail keeps its alternatives the same way.
#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "grader/run/result.hpp"
#include "grader/runner/attribute_leftovers.hpp"
#include "grader/runner/scenario.hpp"
#include "grader/sandbox/landlock.hpp"
#include "grader/sandbox/run_cgroup.hpp"
#include "grader/tracer/tracer.hpp"

namespace ipcgrade::runner {

// The parts of a run a containment works with, owned by its supervisor.
struct RunParts {
  const config::ScenarioSpec& spec;
  const RunContext& context;
  const Containment& box;
  tracer::Tracer& tracer;
  sandbox::RunCgroup& cgroup;
  run::ScenarioResult& result;
};

class RunContainment {
 public:
  virtual ~RunContainment() = default;
  // The report's mode: "namespaces" or "tracked".
  virtual std::string_view mode() const = 0;
  // Before the first process: the tracer's guard and watches, and this mode's part of the programs'
  // Landlock policy (the rest is the file-system policy's, the same in both).
  virtual void set_up(std::optional<sandbox::Landlock>& landlock) = 0;
  // The report's `enforced` lines that depend on the mode: network, disk, files.
  virtual void describe(std::map<std::string, std::string>& enforced,
                        const std::optional<sandbox::Landlock>& landlock) const = 0;
  // The end, before any process is killed; `handle` takes a stop or an end collected meanwhile.
  virtual void settle(const std::function<void()>& handle_deferred,
                      const std::function<void(pid_t, int)>& handle) = 0;
  // Kills every process of the run.
  virtual void kill_all() = 0;
  // A process found stopped while the killed run is reaped.
  virtual void stopped_after_kill(pid_t pid) = 0;
  // What the run left, once every process has ended; and which of those are removed with the run's own
  // credentials (the rest the grader removes itself).
  virtual std::vector<run::Leftover> leftovers(const TraceIndex& index) = 0;
  virtual bool removed_as_run(const std::string& path) const = 0;
  // After the leftovers are gone.
  virtual void done() = 0;
};

// The one place the mode is chosen.
std::unique_ptr<RunContainment> make_containment(const RunParts& parts);

// The two implementations (namespaces_containment.cpp, tracked_containment.cpp).
std::unique_ptr<RunContainment> namespaces_containment(const RunParts& parts);
std::unique_ptr<RunContainment> tracked_containment(const RunParts& parts);

// The report's `disk` line: the working folder's tmpfs where there is one, else `otherwise`.
std::string disk_line(const RunParts& parts, std::string_view otherwise);

// The FIFOs the run made and never unlinked, in either mode (run_containment.cpp): `own` are the run's own
// folders, where a FIFO is removed (with the run's credentials when `as_run` is given); one in the run's
// private /tmp (`tmp_went_with_it`) went with it; one elsewhere is reported, never removed from here.
void add_fifos(std::vector<run::Leftover>& all, const RunParts& parts, const TraceIndex& index,
               const std::vector<std::filesystem::path>& own, bool tmp_went_with_it,
               std::set<std::string>* as_run);

}  // namespace ipcgrade::runner
