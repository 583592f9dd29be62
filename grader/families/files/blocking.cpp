// What a process waits for in an open() of a FIFO (a process to open its other end) or in a futex in
// shared memory (a POSIX named semaphore's sem_wait, or a lock in a POSIX shared-memory object).
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <algorithm>
#include <sstream>

#include <fmt/format.h>

#include "grader/families/family.hpp"
#include "grader/families/tracee_memory.hpp"
#include "grader/util/procfs.hpp"
#include "grader/util/text.hpp"

namespace ipcgrade::families::files {

namespace {

// A process asleep in open() of a FIFO: the path as it wrote it and whether it opens for writing.
struct FifoOpen {
  std::string path;
  bool write = false;
};
std::optional<FifoOpen> fifo_open(const Blocked& b) {
  const bool at = b.nr == SYS_openat;
  if (!at && b.nr != SYS_open) return std::nullopt;
  const ProcessMemory memory(b.host_pid);
  const std::string path = memory.path(b.args[at ? 1 : 0]);
  const int dirfd = at ? static_cast<int>(b.args[0]) : AT_FDCWD;
  const auto file = memory.file_at(dirfd, path);
  if (!file || !S_ISFIFO(file->mode)) return std::nullopt;
  const auto flags = b.args[at ? 2 : 1];
  if (flags & O_NONBLOCK) return std::nullopt;
  return FifoOpen{util::escape_controls(path), (flags & O_ACCMODE) == O_WRONLY};
}

// What a process waiting on a futex in shared memory waits for: a POSIX named semaphore (glibc maps
// /dev/shm/sem.NAME, and sem_wait sleeps on the word that holds its value) or something in a POSIX
// shared-memory object (an unnamed semaphore or a lock in it). Found from the mapping that holds the
// futex's address; nullopt for a futex in private memory (a thread's mutex or join).
struct SharedFutex {
  std::string name;
  bool semaphore = false;
  std::optional<std::uint32_t> value;  // a semaphore's value, read where it sleeps
};
std::optional<SharedFutex> shared_futex(const Blocked& b, const trace::Trace& trace) {
  const std::uint64_t address = b.args[0];
  std::istringstream maps(util::read_proc_file("/proc/" + std::to_string(b.host_pid) + "/maps"));
  std::string line;
  while (std::getline(maps, line)) {
    // start-end perms offset dev inode path
    std::istringstream fields(line);
    std::string range, perms, offset, dev, inode, path;
    fields >> range >> perms >> offset >> dev >> inode;
    std::getline(fields >> std::ws, path);
    const auto dash = range.find('-');
    if (dash == std::string::npos) continue;
    const std::uint64_t start = std::strtoull(range.substr(0, dash).c_str(), nullptr, 16);
    const std::uint64_t end = std::strtoull(range.substr(dash + 1).c_str(), nullptr, 16);
    if (address < start || address >= end) continue;
    const std::string shm = "/dev/shm/";
    if (path.rfind(shm, 0) != 0) return std::nullopt;
    SharedFutex f;
    std::string file = path.substr(shm.size());
    if (const auto deleted = file.rfind(" (deleted)"); deleted != std::string::npos) file.resize(deleted);
    f.semaphore = file.rfind("sem.", 0) == 0;
    f.name = "/" + util::escape_controls(f.semaphore ? file.substr(4) : file);
    // glibc maps a new semaphore's temporary file before it links the name, then unlinks the
    // temporary: the mapping names the temporary; the sem_open that made the name has its inode.
    const long long ino = std::strtoll(inode.c_str(), nullptr, 10);
    for (const auto& e : trace.events) {
      if (f.semaphore && e.is_call("sem_open") && e.value("ino") == ino && e.texts.count("name"))
        f.name = e.texts.at("name");
    }
    if (f.semaphore) {
      if (auto word = read_tracee_value<std::uint32_t>(b.host_pid, address)) f.value = *word;
    }
    return f;
  }
  return std::nullopt;
}

}  // namespace

bool waits_on_others(const Blocked& b) {
  return fifo_open(b).has_value();
}

std::optional<Wait> wait(const Blocked& b, const trace::Trace& trace) {
  Wait w;
  if (b.nr == SYS_open || b.nr == SYS_openat) {
    w.first = true;
    w.call = b.nr == SYS_open ? "open" : "openat";
    const auto fifo = fifo_open(b);
    if (!fifo) {
      w.state = "is blocked in open";
      return w;
    }
    w.object = trace::ObjectId::named(trace::ObjectId::Kind::Fifo, fifo->path);
    w.state =
        fifo->write
            ? fmt::format("waits in open(\"{}\", O_WRONLY) for a process to open it for reading", fifo->path)
            : fmt::format("waits in open(\"{}\", O_RDONLY) for a process to open it for writing", fifo->path);
    if (!fifo->write) w.fifo_read_first = fifo->path;
    return w;
  }
  if (b.nr != SYS_futex) return std::nullopt;
  const auto shared = shared_futex(b, trace);
  w.call = shared && shared->semaphore ? "sem_wait" : "futex";
  if (!shared) {
    w.state = "waits for another thread";
  } else if (!shared->semaphore) {
    w.state = fmt::format("waits on a semaphore or lock in shared memory {}", shared->name);
    w.object = trace::ObjectId::named(trace::ObjectId::Kind::PosixShm, shared->name);
  } else {
    w.state = fmt::format("waits in sem_wait on named semaphore {}{}", shared->name,
                          shared->value ? fmt::format(" (value {})", *shared->value) : std::string());
    w.object = trace::ObjectId::named(trace::ObjectId::Kind::PosixSem, shared->name);
  }
  return w;
}

std::string why_stuck(const Blocked& b, std::span<const Blocked>, const trace::Trace& trace) {
  if ((b.nr == SYS_open || b.nr == SYS_openat) && fifo_open(b)) return "; no live process will";
  if (b.nr == SYS_futex) {
    if (const auto shared = shared_futex(b, trace); shared && shared->semaphore)
      return "; no live process will post it";
  }
  return {};
}

}  // namespace ipcgrade::families::files
