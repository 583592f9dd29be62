#pragma once
#include <sys/types.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>

namespace ipcgrade::families {

// Reads `length` bytes at `address` in a stopped tracee with process_vm_readv, one iovec per page:
// the call is partial at iovec granularity, so a read across an unmapped page still returns the
// part before it. Returns what could be read (possibly less than asked).
std::string read_tracee(pid_t pid, std::uint64_t address, size_t length);

template <typename T>
std::optional<T> read_tracee_value(pid_t pid, std::uint64_t address) {
  const std::string bytes = read_tracee(pid, address, sizeof(T));
  if (bytes.size() != sizeof(T)) return std::nullopt;
  T value;
  std::memcpy(&value, bytes.data(), sizeof(T));
  return value;
}

// The identity and type of a file a tracee opened or named.
struct FileId {
  dev_t dev = 0;
  ino_t ino = 0;
  mode_t mode = 0;  // with the type bits: S_ISFIFO(mode)
};

// A tracee as the decoders see it: its memory and the files its descriptors and paths lead to — the
// process's own (ProcessMemory), or what a unit test placed there.
class Memory {
 public:
  static constexpr size_t kPathMax = 4096;  // PATH_MAX, with its NUL

  virtual ~Memory() = default;
  // Up to `length` bytes at `address`: fewer when the rest is not readable.
  virtual std::string read(std::uint64_t address, size_t length) const = 0;
  // The file open at descriptor `fd`, when there is one.
  virtual std::optional<FileId> file_of(int fd) const = 0;
  // The file `path` names from folder descriptor `dirfd` (AT_FDCWD: the current folder), as the tracee
  // sees it, without following a final link; nullopt when there is none.
  virtual std::optional<FileId> file_at(int dirfd, const std::string& path) const = 0;
  // Where `path` (from `dirfd`) really is, for the grader: its folder resolved through the tracee's own
  // folder, descriptor or root, links and all, and its last name; empty when the folder cannot be
  // resolved. Taken while the tracee lives, so that the end of the run never reinterprets the text.
  virtual std::string real_path(int dirfd, const std::string& path) const = 0;
  // The path of the file open at descriptor `fd`, as /proc shows it ("/dev/shm/x", "/queue"): what the
  // kernel opened, whatever the name in memory says now.
  virtual std::string fd_path(int fd) const = 0;
  // Whether a POSIX message queue of that name exists now (in the tracee's IPC namespace).
  virtual bool queue_exists(const std::string& name) const = 0;
  // The tracee's file mode creation mask, where it can be read: what a FIFO or POSIX object it makes
  // really gets is its mode without these bits.
  virtual std::optional<unsigned> umask() const { return std::nullopt; }

  // The NUL-terminated path at `address`, as the program passed it; "" when it has no end within
  // PATH_MAX bytes (no path that long can be opened) or cannot be read.
  std::string path(std::uint64_t address) const {
    std::string text = read(address, kPathMax);
    const size_t end = text.find('\0');
    text.resize(end == std::string::npos ? 0 : end);
    return text;
  }

  template <typename T>
  std::optional<T> value(std::uint64_t address) const {
    const std::string bytes = read(address, sizeof(T));
    if (bytes.size() != sizeof(T)) return std::nullopt;
    T v;
    std::memcpy(&v, bytes.data(), sizeof(T));
    return v;
  }
};

class ProcessMemory final : public Memory {
 public:
  explicit ProcessMemory(pid_t pid) : pid_(pid) {}
  std::string read(std::uint64_t address, size_t length) const override {
    return read_tracee(pid_, address, length);
  }
  std::optional<FileId> file_of(int fd) const override;
  std::optional<FileId> file_at(int dirfd, const std::string& path) const override;
  std::string real_path(int dirfd, const std::string& path) const override;
  std::string fd_path(int fd) const override;
  bool queue_exists(const std::string& name) const override;
  std::optional<unsigned> umask() const override;

 private:
  pid_t pid_;
};

}  // namespace ipcgrade::families
