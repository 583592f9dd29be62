#pragma once
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace ipcgrade::sandbox {

// What the root of a run holds, besides the system folders every run gets.
struct RootPlan {
  std::filesystem::path work_dir;           // bound writable at the same path
  std::vector<std::filesystem::path> keep;  // bound read-only at the same path (`run`: the program's folder)
  std::filesystem::path shm_dir = "/dev/shm";  // the run's private tmpfs for POSIX shared memory
  std::filesystem::path mqueue_dir;            // the run's mqueue filesystem ("" when there is none)
  std::uint64_t tmp_bytes = 64ULL << 20;       // the private /tmp
  uid_t uid = 0;                               // the uid and gid the programs run as, named in /etc/passwd
  gid_t gid = 0;
};

// The report's `enforced` lines of the steps that made the root, by name ("root", "proc", ...).
using StepLines = std::map<std::string, std::string>;

// Builds a root from nothing for the programs of a run and moves the calling process into it, the way
// bubblewrap does: in a mount namespace of its own, a tmpfs becomes the root; the system folders a
// compiler and a program need are bound read-only (/usr, /bin, /sbin, /lib*), /etc is made with only
// what they read (the loader's cache, passwd and group naming the run's uid, alternatives, localtime),
// /dev holds six device nodes, /proc is a fresh one of the caller's PID namespace, /tmp a private tmpfs,
// and the working folder is bound at its own path; then the old root is detached and the new one made
// read-only. The host's /tmp, /home, /root, the assignment and the grader itself are simply not there.
//
// Run by the PID namespace's init (the only process that can mount a /proc of that namespace); the
// programs join its mount namespace with setns. Each step is named: on failure `error` says which step
// failed and why, and the caller's root is left half-built (the init then exits).
bool build_new_root(const RootPlan& plan, StepLines* lines, std::string* error);

}  // namespace ipcgrade::sandbox
