#pragma once
// The files a run's programs may reach, as one list (bubblewrap's and isolate's way: the policy is
// data). The new root binds or makes each entry (new_root.cpp), Landlock allows exactly the same
// (landlock_of, for tracked mode, where the programs see the host's files), and the report's `root`
// line names the system folders. FilePolicy.* tests that the three agree. /sys is in none: a program
// that reads it (glibc's CPU count) falls back to /proc in either mode.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "grader/sandbox/landlock.hpp"

namespace ipcgrade::sandbox {

struct FsRule {
  enum class Kind : std::uint8_t {
    SystemFolder,  // /usr, /bin, /sbin, /lib*: bound read-only (a symlink where /usr is merged)
    EtcWritten,    // an /etc file the root writes for the run (passwd naming the run's uid, hosts, ...)
    EtcCopied,     // an /etc file copied from the host (the loader's cache, localtime)
    EtcFolder,     // an /etc folder bound read-only (alternatives)
    Device,        // a device node, bound: read and written
    Kernel,        // /proc: the run's own, read
    DeviceFolder,  // /dev itself: read
    Shared,        // /dev/shm: the run's POSIX shared memory, read and written
    Queues,        // /dev/mqueue: the run's POSIX queues
  };
  std::string path;
  Kind kind;

  bool read_only() const { return kind != Kind::Device && kind != Kind::Shared && kind != Kind::Queues; }
};

// The policy every run gets (besides its working folder and its private temporary folder).
const std::vector<FsRule>& run_policy();

// The rules of one kind.
std::vector<FsRule> rules_of(const std::vector<FsRule>& policy, FsRule::Kind kind);

// The Landlock domain of a run's programs: what the policy lets them read, the run's folders and
// /dev/shm to write, the devices, the queues.
Landlock landlock_of(const std::vector<FsRule>& policy, const std::filesystem::path& work_dir,
                     const std::filesystem::path& private_tmp);

}  // namespace ipcgrade::sandbox
