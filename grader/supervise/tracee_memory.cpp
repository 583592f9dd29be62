#include "grader/supervise/tracee_memory.hpp"

#include <sys/uio.h>
#include <unistd.h>

#include <vector>

namespace ipcgrade::supervise {

std::string read_tracee(pid_t pid, std::uint64_t address, size_t length) {
  if (length == 0) return {};
  static const std::uint64_t page = static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
  std::string out(length, '\0');
  std::vector<iovec> remote;
  std::uint64_t at = address;
  size_t left = length;
  while (left > 0) {
    const size_t chunk = std::min<std::uint64_t>(left, page - (at % page));
    remote.push_back({reinterpret_cast<void*>(at), chunk});
    at += chunk;
    left -= chunk;
  }
  iovec local{out.data(), length};
  const ssize_t n = process_vm_readv(pid, &local, 1, remote.data(), remote.size(), 0);
  out.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return out;
}

}  // namespace ipcgrade::supervise
