#include "grader/sandbox/run_cgroup.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <thread>

#include "grader/util/procfs.hpp"
#include "grader/util/small_file.hpp"

namespace fs = std::filesystem;

namespace ipcgrade::sandbox {

namespace {

// Where a child cgroup with `controller` can be made, and which cgroup version that is: the v1
// hierarchy of the controller (below the grader's own cgroup there), or the grader's own v2 cgroup
// when it delegates the controller.
std::pair<fs::path, int> parent_for(const std::string& controller) {
  std::error_code ec;
  const fs::path v1 = fs::path("/sys/fs/cgroup") / controller;
  const std::vector<std::string> own_cgroups = util::read_proc_lines("/proc/self/cgroup");
  if (fs::exists(v1 / "cgroup.procs", ec)) {
    for (const auto& line : own_cgroups) {
      const auto first = line.find(':'), second = line.find(':', first + 1);
      if (line.substr(first + 1, second - first - 1) == controller) return {v1 / line.substr(second + 2), 1};
    }
    return {v1, 1};
  }
  if (fs::exists("/sys/fs/cgroup/cgroup.controllers", ec)) {
    for (const auto& line : own_cgroups) {
      if (line.rfind("0::", 0) != 0) continue;
      const fs::path own = fs::path("/sys/fs/cgroup") / line.substr(4);
      std::ifstream controllers(own / "cgroup.subtree_control");
      std::string list((std::istreambuf_iterator<char>(controllers)), {});
      if (list.find(controller) != std::string::npos) return {own, 2};
    }
  }
  return {{}, 0};
}

// Cgroups of graders that were killed (SIGKILL runs no destructor) are empty once their processes
// are gone: removed here so they do not pile up.
void remove_stale(const fs::path& parent, const std::string& name) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(parent, ec)) {
    const std::string other = entry.path().filename().string();
    if (other.rfind("ipcgrade-", 0) != 0 || other == name) continue;
    const pid_t owner = static_cast<pid_t>(std::strtol(other.c_str() + 9, nullptr, 10));
    if (owner > 0 && ::kill(owner, 0) != 0 && errno == ESRCH) ::rmdir(entry.path().c_str());
  }
}

// Makes the cgroup and writes its limit; an empty dir when any step fails.
std::string make(const std::string& controller, const std::string& name,
                 const std::vector<std::pair<std::string, std::string>>& settings, int* version) {
  const auto [parent, v] = parent_for(controller);
  if (parent.empty()) return {};
  remove_stale(parent, name);
  const fs::path dir = parent / name;
  std::error_code ec;
  if (!fs::create_directory(dir, ec) && !fs::exists(dir / "cgroup.procs", ec)) return {};
  for (const auto& [file, value] : settings) {
    if (!fs::exists(dir / file, ec)) continue;  // e.g. no swap accounting
    if (!util::write_small_file(dir / file, value)) {
      fs::remove(dir, ec);
      return {};
    }
  }
  *version = v;
  return dir.string();
}

long read_counter(const fs::path& file, const std::string& key) {
  std::ifstream in(file);
  std::string k;
  long value = 0;
  while (in >> k >> value) {
    if (k == key) return value;
  }
  return 0;
}

}  // namespace

RunCgroup::RunCgroup(int max_processes, std::uint64_t max_memory, const std::string& name) {
  // As on a machine without cgroups (a container's): how an instructor (and the suite) sees what
  // holds the limits there.
  if (const char* off = std::getenv("IPCGRADE_CGROUPS"); off && std::string_view(off) == "off") return;
  int version = 0;
  pids_.dir = make("pids", name, {{"pids.max", std::to_string(max_processes)}}, &version);
  if (!pids_.dir.empty()) pids_.enforcer = "pids cgroup v" + std::to_string(version);
  const std::string bytes = std::to_string(max_memory);
  // v1 and v2 spell the limit differently; swap is limited to nothing where it is accounted, so the
  // limit cannot be dodged by swapping out.
  memory_.dir = make("memory", name,
                     {{"memory.limit_in_bytes", bytes},
                      {"memory.memsw.limit_in_bytes", bytes},
                      {"memory.max", bytes},
                      {"memory.swap.max", "0"}},
                     &version);
  if (!memory_.dir.empty()) memory_.enforcer = "memory cgroup v" + std::to_string(version);
}

RunCgroup::~RunCgroup() {
  // The run's processes are gone by now; the cgroup may take a moment to notice.
  for (const auto* c : {&pids_, &memory_}) {
    if (c->dir.empty()) continue;
    for (int i = 0; i < 100 && ::rmdir(c->dir.c_str()) != 0 && errno == EBUSY; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void RunCgroup::add(pid_t pid) const {
  for (const auto* c : {&pids_, &memory_}) {
    if (!c->dir.empty()) util::write_small_file(fs::path(c->dir) / "cgroup.procs", std::to_string(pid));
  }
}

bool RunCgroup::pids_limit_hit() const {
  return !pids_.dir.empty() && read_counter(fs::path(pids_.dir) / "pids.events", "max") > 0;
}

bool RunCgroup::memory_limit_hit() const {
  if (memory_.dir.empty()) return false;
  const fs::path dir(memory_.dir);
  // v1 counts OOM kills in memory.oom_control, v2 in memory.events.
  return read_counter(dir / "memory.oom_control", "oom_kill") > 0 ||
         read_counter(dir / "memory.events", "oom_kill") > 0;
}

std::vector<pid_t> RunCgroup::members() const {
  std::vector<pid_t> pids;
  const std::string& dir = !pids_.dir.empty() ? pids_.dir : memory_.dir;
  if (dir.empty()) return pids;
  std::ifstream in(fs::path(dir) / "cgroup.procs");
  for (pid_t pid; in >> pid;) pids.push_back(pid);
  return pids;
}

}  // namespace ipcgrade::sandbox
