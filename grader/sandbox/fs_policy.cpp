#include "grader/sandbox/fs_policy.hpp"

namespace ipcgrade::sandbox {

const std::vector<FsRule>& run_policy() {
  using K = FsRule::Kind;
  static const std::vector<FsRule> policy = {
      {"/usr", K::SystemFolder},
      {"/bin", K::SystemFolder},
      {"/sbin", K::SystemFolder},
      {"/lib", K::SystemFolder},
      {"/lib32", K::SystemFolder},
      {"/lib64", K::SystemFolder},
      {"/libx32", K::SystemFolder},
      // Of /etc only what compilers and programs read: where the run is root (a container's, with no uid
      // of its own), all of /etc would include /etc/shadow.
      {"/etc/passwd", K::EtcWritten},
      {"/etc/group", K::EtcWritten},
      {"/etc/nsswitch.conf", K::EtcWritten},
      {"/etc/hostname", K::EtcWritten},
      {"/etc/hosts", K::EtcWritten},
      {"/etc/ld.so.cache", K::EtcCopied},
      {"/etc/ld.so.conf", K::EtcCopied},
      {"/etc/localtime", K::EtcCopied},
      {"/etc/timezone", K::EtcCopied},
      {"/etc/alternatives", K::EtcFolder},
      {"/proc", K::Kernel},
      {"/dev", K::DeviceFolder},
      {"/dev/null", K::Device},
      {"/dev/zero", K::Device},
      {"/dev/full", K::Device},
      {"/dev/random", K::Device},
      {"/dev/urandom", K::Device},
      {"/dev/tty", K::Device},
      {"/dev/shm", K::Shared},
      {"/dev/mqueue", K::Queues},
  };
  return policy;
}

std::vector<FsRule> rules_of(const std::vector<FsRule>& policy, FsRule::Kind kind) {
  std::vector<FsRule> out;
  for (const auto& rule : policy) {
    if (rule.kind == kind) out.push_back(rule);
  }
  return out;
}

Landlock landlock_of(const std::vector<FsRule>& policy, const std::filesystem::path& work_dir,
                     const std::filesystem::path& private_tmp) {
  Landlock l;
  l.read_write = {work_dir.string(), private_tmp.string()};
  for (const auto& rule : policy) {
    switch (rule.kind) {
      case FsRule::Kind::Device:
        l.devices.push_back(rule.path);
        break;
      case FsRule::Kind::Shared:
        l.read_write.push_back(rule.path);
        break;
      case FsRule::Kind::Queues:
        l.queues.push_back(rule.path);
        break;
      default:
        l.read_only.push_back(rule.path);
        break;
    }
  }
  return l;
}

}  // namespace ipcgrade::sandbox
