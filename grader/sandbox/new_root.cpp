// The root a run sees, made from nothing. Modelled on bubblewrap's setup_newroot(): every step is a
// function of its own, in the order they run, and each either holds or fails the start with its name.
#include "grader/sandbox/new_root.hpp"
#include "grader/sandbox/fs_policy.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <cerrno>
#include <cstring>

#include "grader/util/small_file.hpp"
#include "grader/util/units.hpp"

namespace fs = std::filesystem;

namespace ipcgrade::sandbox {

namespace {

// Where the host's root is while the new one is built (inside the staging tmpfs).
constexpr const char* kOld = "/oldroot";
constexpr const char* kNew = "/newroot";

struct StepError {
  std::string what;
};

[[noreturn]] void fail(const std::string& step, const std::string& what) {
  throw StepError{fmt::format("{}: {}", step, what)};
}

std::string why() {
  return std::strerror(errno);
}

void must(bool ok, const std::string& step, const std::string& what) {
  if (!ok) fail(step, what + ": " + why());
}

// The per-mount flags a remount must keep: inside a user namespace the kernel refuses a remount that
// would drop nosuid, nodev or noexec from a mount that came from outside it.
unsigned long mount_flags(const std::string& path) {
  struct statvfs st {};
  if (::statvfs(path.c_str(), &st) != 0) return 0;
  unsigned long flags = 0;
  if (st.f_flag & ST_NOSUID) flags |= MS_NOSUID;
  if (st.f_flag & ST_NODEV) flags |= MS_NODEV;
  if (st.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
  if (st.f_flag & ST_NOATIME) flags |= MS_NOATIME;
  if (st.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
  if (st.f_flag & ST_RELATIME) flags |= MS_RELATIME;
  return flags;
}

void bind_mount(const std::string& step, const std::string& from, const std::string& to, bool read_only) {
  must(::mount(from.c_str(), to.c_str(), nullptr, MS_BIND | MS_REC, nullptr) == 0, step,
       fmt::format("cannot bind {}", from.substr(std::strlen(kOld))));
  if (read_only)
    must(::mount(nullptr, to.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | mount_flags(to), nullptr) ==
             0,
         step, fmt::format("cannot make {} read-only", from.substr(std::strlen(kOld))));
}

void mkdirs(const std::string& path, mode_t mode = 0755) {
  std::error_code ec;
  fs::create_directories(path, ec);
  ::chmod(path.c_str(), mode);
}

void write_file(const std::string& step, const std::string& path, const std::string& text) {
  if (!util::write_small_file(path, text, /*create=*/true))
    fail(step, "cannot write " + path.substr(std::strlen(kNew)));
}

// Copies one file of the host's /etc (a symlink stays a symlink: its target is in /usr).
void copy_etc(const std::string& name) {
  const std::string from = std::string(kOld) + "/etc/" + name;
  const std::string to = std::string(kNew) + "/etc/" + name;
  std::error_code ec;
  const auto status = fs::symlink_status(from, ec);
  if (fs::is_symlink(status)) {
    fs::create_symlink(fs::read_symlink(from, ec), to, ec);
  } else if (fs::is_regular_file(status)) {
    fs::copy_file(from, to, ec);
  }
}

// 1. A tmpfs to build in, made the root, with the host's root under /oldroot.
void staging_root() {
  const std::string step = "staging root";
  must(::unshare(CLONE_NEWNS) == 0, step, "cannot make a mount namespace");
  must(::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0, step,
       "cannot make the mounts private");
  // Any folder will do as the place of the staging tmpfs; /tmp always exists.
  must(::mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=16m") == 0, step,
       "cannot mount a tmpfs");
  must(::mkdir("/tmp/oldroot", 0755) == 0 && ::mkdir("/tmp/newroot", 0755) == 0, step, "cannot make folders");
  must(::syscall(SYS_pivot_root, "/tmp", "/tmp/oldroot") == 0, step, "pivot_root");
  must(::chdir("/") == 0, step, "chdir");
  // The new root must be a mount point of its own for the last pivot_root.
  must(::mount(kNew, kNew, nullptr, MS_BIND | MS_REC, nullptr) == 0, step, "cannot bind the new root");
}

// 2. /usr, /bin, /sbin, /lib*: read-only, as they are on the host (symlinks where /usr is merged).
std::string system_folders() {
  std::string bound;
  for (const auto& rule : rules_of(run_policy(), FsRule::Kind::SystemFolder)) {
    const std::string& name = rule.path;
    const std::string from = std::string(kOld) + name;
    const std::string to = std::string(kNew) + name;
    std::error_code ec;
    const auto status = fs::symlink_status(from, ec);
    if (fs::is_symlink(status)) {
      fs::create_symlink(fs::read_symlink(from, ec), to, ec);
    } else if (fs::is_directory(status)) {
      mkdirs(to);
      bind_mount("system folders", from, to, true);
    } else {
      continue;
    }
    bound += (bound.empty() ? "" : ", ") + name;
  }
  return bound;
}

// 3. /etc with only what compilers and programs read.
void etc(const RootPlan& plan) {
  const std::string step = "/etc";
  const std::string dir = std::string(kNew) + "/etc";
  mkdirs(dir);
  const std::string home = plan.work_dir.string();
  write_file(step, dir + "/passwd",
             fmt::format("root:x:0:0:root:/root:/bin/sh\n"
                         "student:x:{}:{}:student:{}:/bin/sh\n"
                         "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
                         plan.uid, plan.gid, home));
  write_file(step, dir + "/group", fmt::format("root:x:0:\nstudent:x:{}:\nnogroup:x:65534:\n", plan.gid));
  write_file(step, dir + "/nsswitch.conf", "passwd: files\ngroup: files\nhosts: files\n");
  write_file(step, dir + "/hostname", "ipcgrade\n");
  write_file(step, dir + "/hosts", "127.0.0.1 localhost ipcgrade\n::1 localhost\n");
  for (const auto& rule : rules_of(run_policy(), FsRule::Kind::EtcCopied)) copy_etc(rule.path.substr(5));
  for (const auto& rule : rules_of(run_policy(), FsRule::Kind::EtcFolder)) {
    std::error_code ec;
    if (!fs::is_directory(std::string(kOld) + rule.path, ec)) continue;
    mkdirs(std::string(kNew) + rule.path);
    bind_mount(step, std::string(kOld) + rule.path, std::string(kNew) + rule.path, true);
  }
}

// 4. /dev: a tmpfs with the six device nodes programs use, the run's /dev/shm and mqueue.
void dev(const RootPlan& plan) {
  const std::string step = "/dev";
  const std::string dir = std::string(kNew) + "/dev";
  mkdirs(dir);
  must(::mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k") == 0, step,
       "cannot mount a tmpfs");
  for (const auto& rule : rules_of(run_policy(), FsRule::Kind::Device)) {
    const std::string to = std::string(kNew) + rule.path;
    const int fd = ::open(to.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0666);
    if (fd >= 0) ::close(fd);
    must(::mount((std::string(kOld) + rule.path).c_str(), to.c_str(), nullptr, MS_BIND, nullptr) == 0, step,
         "cannot bind " + rule.path);
  }
  std::error_code ec;
  for (const auto& [name, target] :
       std::initializer_list<std::pair<const char*, const char*>>{{"fd", "/proc/self/fd"},
                                                                  {"stdin", "/proc/self/fd/0"},
                                                                  {"stdout", "/proc/self/fd/1"},
                                                                  {"stderr", "/proc/self/fd/2"}}) {
    fs::create_symlink(target, dir + "/" + name, ec);
  }
  mkdirs(dir + "/shm", 01777);
  bind_mount(step, std::string(kOld) + plan.shm_dir.string(), dir + "/shm", false);
  if (!plan.mqueue_dir.empty()) {
    mkdirs(dir + "/mqueue", 01777);
    bind_mount(step, std::string(kOld) + plan.mqueue_dir.string(), dir + "/mqueue", false);
  }
  must(::mount(nullptr, dir.c_str(), nullptr, MS_REMOUNT | MS_NOSUID | MS_NOEXEC | MS_RDONLY, "mode=0755") ==
           0,
       step, "cannot make /dev read-only");
}

// 5. A fresh /proc of this PID namespace: the run's own processes and nothing else. Some container
// runtimes refuse it (a /proc with covered paths cannot be mounted afresh inside a user namespace);
// then /proc stays empty, which is still nothing of the host.
std::string proc() {
  const std::string dir = std::string(kNew) + "/proc";
  mkdirs(dir, 0555);
  if (::mount("proc", dir.c_str(), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
    return fmt::format("empty: the kernel refused a fresh /proc here ({})", why());
  // Settings of the namespace are read-only to the programs.
  const std::string sys = dir + "/sys";
  if (::mount(sys.c_str(), sys.c_str(), nullptr, MS_BIND | MS_REC, nullptr) == 0)
    ::mount(nullptr, sys.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | mount_flags(sys), nullptr);
  return "a fresh /proc: only the run's own processes";
}

// 6. A private, empty /tmp.
void tmp(const RootPlan& plan) {
  const std::string dir = std::string(kNew) + "/tmp";
  mkdirs(dir, 01777);
  // Files counted apart from bytes, as in the working folder: one per 16 KiB, at least 4096.
  const std::string options = fmt::format("mode=1777,size={},nr_inodes={}", plan.tmp_bytes,
                                          std::max<std::uint64_t>(4096, plan.tmp_bytes / 16384));
  must(::mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) == 0, "/tmp",
       "cannot mount a tmpfs");
}

// 7. The working folder, writable, at the path it has for the grader (evidence and placeholders name
// it), and the folders `run` keeps visible, read-only.
void work(const RootPlan& plan) {
  const std::string step = "working folder";
  const std::string to = std::string(kNew) + plan.work_dir.string();
  mkdirs(to);
  must(::mount((kOld + plan.work_dir.string()).c_str(), to.c_str(), nullptr, MS_BIND | MS_REC, nullptr) == 0,
       step, "cannot bind " + plan.work_dir.string());
  for (const auto& keep : plan.keep) {
    if (keep == plan.work_dir) continue;
    std::error_code ec;
    if (!fs::is_directory(kOld + keep.string(), ec)) continue;
    mkdirs(std::string(kNew) + keep.string());
    bind_mount(step, kOld + keep.string(), std::string(kNew) + keep.string(), true);
  }
}

// 8. Into the new root; the old one (and the host's root with it) detached; the root read-only.
void enter() {
  const std::string step = "pivot_root";
  must(::chdir(kNew) == 0, step, "chdir");
  must(::syscall(SYS_pivot_root, ".", ".") == 0, step, "pivot_root");
  must(::umount2(".", MNT_DETACH) == 0, step, "cannot detach the old root");
  must(::chdir("/") == 0, step, "chdir");
  must(::mount(nullptr, "/", nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | mount_flags("/"), nullptr) == 0,
       step, "cannot make the root read-only");
}

}  // namespace

bool build_new_root(const RootPlan& plan, StepLines* lines, std::string* error) {
  try {
    staging_root();
    (*lines)["root"] =
        "a tmpfs built from nothing, read-only: " + system_folders() +
        ", a minimal /etc and /dev; the host's /tmp, /home, /root and the assignment are not there";
    etc(plan);
    dev(plan);
    (*lines)["proc"] = proc();
    tmp(plan);
    (*lines)["tmp"] = "a private tmpfs of " + util::format_size(plan.tmp_bytes);
    work(plan);
    enter();
    return true;
  } catch (const StepError& e) {
    *error = "the sandbox's root: " + e.what;
    return false;
  }
}

}  // namespace ipcgrade::sandbox
