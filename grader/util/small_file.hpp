#pragma once
#include <string>

namespace ipcgrade::util {

// Writes `text` to `path` in one write(2): the kernel's files (/proc/self/uid_map, a cgroup's
// memory.max, ns_last_pid) take one write as one setting and refuse a partial one. The file must exist
// unless `create` (then it is made 0666 less the umask, or emptied). False when it cannot be opened or
// takes less than all of `text`. Files a user reads are written with util/atomic_file instead.
bool write_small_file(const std::string& path, const std::string& text, bool create = false);

// Writes every byte to a descriptor (a pipe), going on after EINTR and short writes; false when the
// reader has gone or the write failed.
bool write_all(int fd, const void* data, size_t size);

}  // namespace ipcgrade::util
