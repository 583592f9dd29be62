// What both containments share: the one place the mode is chosen, the disk line, and the FIFOs a run
// made and never unlinked, in either mode (from the trace, since a FIFO in the run's private /tmp cannot
// be looked at once the run is gone).
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>

#include <fmt/format.h>

#include "grader/runner/run_containment.hpp"
#include "grader/sandbox/run_mounts.hpp"
#include "grader/util/units.hpp"

namespace ipcgrade::runner {

void add_fifos(std::vector<run::Leftover>& all, const RunParts& parts, const TraceIndex& index,
               const std::vector<std::filesystem::path>& own, bool tmp_went_with_it,
               std::set<std::string>* as_run) {
  char real[PATH_MAX];
  std::vector<std::string> mine;  // the run's own folders, as the grader sees them
  for (const auto& dir : own) {
    if (!dir.empty() && ::realpath(dir.c_str(), real)) mine.push_back(std::string(real) + "/");
  }
  const auto listed = [&](const std::string& where) {
    return std::any_of(all.begin(), all.end(), [&](const run::Leftover& l) { return l.path == where; });
  };
  for (auto& fifo : fifos_left(parts.result.trace, index)) {
    const std::string where = fifo.path;
    const bool inside = !where.empty() && std::any_of(mine.begin(), mine.end(), [&](const std::string& dir) {
      return where.rfind(dir, 0) == 0;
    });
    if (inside) {
      // Still the very FIFO the run made: a name since removed or replaced is not a leftover.
      struct stat st {};
      if (::lstat(where.c_str(), &st) != 0 || !S_ISFIFO(st.st_mode) || st.st_dev != fifo.file_dev ||
          st.st_ino != fifo.file_ino)
        continue;
      if (listed(where)) continue;
      // Tracked mode removes with the run's credentials; in namespaces mode every process of the run
      // is gone (and its ended PID namespace cannot fork).
      if (as_run) as_run->insert(where);
    } else if (tmp_went_with_it && fifo.name.rfind("/tmp/", 0) == 0) {
      fifo.path.clear();
      fifo.reclaimed = true;  // in the run's private /tmp, which ended with it
    } else {
      // Elsewhere: in tracked mode without Landlock, listed (and removed) from the names the run made;
      // anywhere else it could not have been made. Reported, never removed from here.
      if (listed(where)) continue;
      fifo.path.clear();
      fifo.reclaim_error = "outside the run's folders: not removed";
    }
    all.push_back(std::move(fifo));
  }
}

std::string disk_line(const RunParts& parts, std::string_view otherwise) {
  if (parts.box.mounts && parts.box.mounts->disk_bytes)
    return fmt::format("{}: the working folder is a tmpfs of that size",
                       util::format_size(parts.spec.limits.disk));
  return std::string(otherwise);
}

std::unique_ptr<RunContainment> make_containment(const RunParts& parts) {
  return parts.box.tracked ? tracked_containment(parts) : namespaces_containment(parts);
}

}  // namespace ipcgrade::runner
