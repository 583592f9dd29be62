// The file-system policy is one list (grader/sandbox/fs_policy.cpp), and the three things made from
// it agree: the new root holds exactly its entries, read-only where it says so (namespaces mode);
// Landlock allows exactly what it holds (tracked mode); the report's `root` line names its system
// folders.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <sstream>

#include "grader/sandbox/fs_policy.hpp"
#include "tests/host_clean.hpp"
#include "tests/run_cli.hpp"

using namespace ipcgrade;
using namespace ipcgrade::testing;
using nlohmann::json;
namespace fs = std::filesystem;
using Kind = sandbox::FsRule::Kind;

namespace {

std::string first_component(const std::string& path) {
  const auto slash = path.find('/', 1);
  return path.substr(1, slash == std::string::npos ? std::string::npos : slash - 1);
}

bool on_host(const std::string& path) {
  std::error_code ec;
  return fs::exists(fs::symlink_status(path, ec));
}

}  // namespace

TEST(FilePolicy, LandlockAllowsExactlyWhatThePolicyHolds) {
  const auto& policy = sandbox::run_policy();
  const auto l = sandbox::landlock_of(policy, "/work/w", "/work/t");
  std::set<std::string> read, devices, shared, queues;
  for (const auto& rule : policy) {
    if (rule.kind == Kind::Device) {
      devices.insert(rule.path);
    } else if (rule.kind == Kind::Shared) {
      shared.insert(rule.path);
    } else if (rule.kind == Kind::Queues) {
      queues.insert(rule.path);
    } else {
      EXPECT_TRUE(rule.read_only()) << rule.path;
      read.insert(rule.path);
    }
  }
  EXPECT_EQ(std::set<std::string>(l.read_only.begin(), l.read_only.end()), read);
  EXPECT_EQ(std::set<std::string>(l.devices.begin(), l.devices.end()), devices);
  EXPECT_EQ(std::set<std::string>(l.queues.begin(), l.queues.end()), queues);
  std::set<std::string> writes = shared;
  writes.insert({"/work/w", "/work/t"});
  EXPECT_EQ(std::set<std::string>(l.read_write.begin(), l.read_write.end()), writes);
  EXPECT_EQ(read.count("/etc/shadow"), 0u);
  EXPECT_EQ(read.count("/sys"), 0u);
}

class NewRoot : public HostCleanTest {};

TEST_F(NewRoot, HoldsExactlyThePolicyReadOnlyWhereItSaysAndTheReportNamesIt) {
  const auto& policy = sandbox::run_policy();
  // The program prints, for each entry of the policy, whether it is there and whether it is writable;
  // then the same of every entry of the host's /, /etc and /dev that the policy does not hold (it cannot
  // list a folder itself: Landlock lets it read only what the policy holds).
  std::set<std::string> allowed = {"/tmp", "/" + first_component(fs::temp_directory_path().string())};
  for (const auto& rule : policy) {
    allowed.insert(rule.path);
    allowed.insert("/" + first_component(rule.path));
  }
  allowed.insert({"/dev/fd", "/dev/stdin", "/dev/stdout", "/dev/stderr"});  // links into /proc/self
  std::vector<std::string> paths, absent;
  for (const auto& rule : policy) paths.push_back(rule.path);
  for (const char* folder : {"/", "/etc", "/dev"}) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(folder, ec)) {
      const std::string path = e.path().string();
      if (!allowed.count(path)) absent.push_back(path);
    }
  }
  ASSERT_GT(absent.size(), 10u) << "the host holds little besides the policy";
  paths.insert(paths.end(), absent.begin(), absent.end());
  // Writable is tried, not asked (access(2) says yes to root whatever Landlock holds): a file made in a
  // folder and removed, a file opened for appending; a device is asked (opening /dev/tty needs a
  // terminal).
  // (`true`, not `:`: a special built-in's failed redirection would end the shell.)
  // Queues are made by mq_open, not by a file's creation, which Landlock refuses there: asked too.
  std::string script =
      "w() { [ -e \"$1\" ] || return 1; if [ -c \"$1\" ] || [ \"$1\" = /dev/mqueue ]; then [ -w \"$1\" ]; "
      "elif [ -d \"$1\" ]; then touch \"$1/.w\" && rm -f \"$1/.w\"; "
      "else true >> \"$1\"; fi; } 2>/dev/null; ";
  for (const auto& path : paths) {
    script += "if [ -e " + path + " ] || [ -L " + path + " ]; then e=yes; else e=no; fi; ";
    script += "if w " + path + "; then v=yes; else v=no; fi; echo \"" + path + " $e $v\"; ";
  }
  // And the run's mounts: a file the run's uid may not write (root's) must still be on a read-only mount
  // where the policy says read-only, whoever the run is.
  script += "sed \"s/^/M /\" /proc/self/mountinfo; ";
  TempDir dir;
  dir.write(
      "assignment.yaml",
      "assignment: policy\nscenarios:\n  - name: s\n    processes:\n      - {name: look, run: [sh, -c, '" +
          script + "']}\nchecks:\n  - {name: ends, type: exit, points: 1}\n");
  fs::create_directories(dir.path() / "alice");
  const CliResult r = run_ipcgrade(
      {"grade", dir.path().string(), (dir.path() / "alice").string(), "--json", "--isolation", "namespaces"});
  const json report = json::parse(r.out, nullptr, false);
  // Where namespaces are refused (a container's seccomp profile), the forced mode cannot run: exit 3.
  if (report.is_discarded() || report["mode"] != "namespaces" || r.code == 3)
    GTEST_SKIP() << "no namespaces here: " << r.err;
  const json& s = report["scenarios"][0];
  ASSERT_EQ(s["processes"].size(), 1u) << s.dump();
  std::istringstream out(s["processes"][0]["stdout"].get<std::string>());
  std::map<std::string, std::pair<bool, bool>> seen;
  std::map<std::string, bool> mounts;  // mount point -> read-only
  for (std::string line; std::getline(out, line);) {
    std::istringstream words(line);
    std::string first;
    words >> first;
    if (first == "M") {  // id parent major:minor root mount-point options ...
      std::string id, parent, device, root, point, options;
      words >> id >> parent >> device >> root >> point >> options;
      mounts[point] = (options + ",").rfind("ro,", 0) == 0;
      continue;
    }
    std::string e, w;
    words >> e >> w;
    seen[first] = {e == "yes", w == "yes"};
  }
  for (const auto& rule : policy) {
    SCOPED_TRACE(rule.path);
    ASSERT_TRUE(seen.count(rule.path)) << s["processes"][0].dump();
    const auto [there, writable] = seen[rule.path];
    // What the root writes is always there; what it takes from the host is there when the host has it.
    EXPECT_EQ(there, rule.kind == Kind::EtcWritten || on_host(rule.path));
    if (there) {
      EXPECT_EQ(writable, !rule.read_only());
    }
    // The mount that holds it (the longest mount point above it; /proc is the kernel's, its files
    // read-only by their own modes).
    std::string holder;
    for (const auto& [point, ro] : mounts) {
      const bool above = point == "/" || rule.path == point || rule.path.rfind(point + "/", 0) == 0;
      if (above && point.size() >= holder.size()) holder = point;
    }
    if (there && rule.kind != Kind::Kernel && !holder.empty()) {
      EXPECT_EQ(mounts[holder], rule.read_only()) << "held by the mount at " << holder;
    }
    if (rule.kind == Kind::SystemFolder && on_host(rule.path)) {
      EXPECT_NE(s["enforced"]["root"].get<std::string>().find(rule.path), std::string::npos)
          << "the report's root line does not name it";
    }
  }
  // Nothing of the host's /, /etc or /dev besides the policy.
  for (const auto& path : absent) {
    ASSERT_TRUE(seen.count(path)) << path;
    EXPECT_FALSE(seen[path].first) << path << " is in the run's root but not in the policy";
  }
}
