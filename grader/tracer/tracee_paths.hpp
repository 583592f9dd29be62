#pragma once
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace ipcgrade::tracer {

// Paths a traced call names, made readable from the tracer: the tracer sees the host as the tracee
// does (tracked mode), but not through the tracee's eyes — a relative path starts at the tracee's
// folder, and /proc/self names the tracee, not the tracer.

// The NUL-terminated path at `address` in the tracee; empty when it cannot be read or is too long.
std::string read_tracee_path(pid_t pid, std::uint64_t address);

// The path of the Unix socket address at `address` (`length` bytes): "@" for an abstract name;
// nullopt for an unnamed socket, another family, or an address that cannot be read.
std::optional<std::string> read_unix_path(pid_t pid, std::uint64_t address, std::uint64_t length);

// `path` as the tracee's kernel will follow it: relative ones from `dirfd` (AT_FDCWD: the tracee's
// current folder), and /proc/self, /proc/thread-self made the tracee's own /proc entry. Not normalized:
// `link/../x` goes where the kernel takes it, through the link.
std::string tracee_path(pid_t pid, int dirfd, const std::string& path);

}  // namespace ipcgrade::tracer
