#pragma once
#include <sys/types.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>

namespace ipcgrade::supervise {

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

}  // namespace ipcgrade::supervise
