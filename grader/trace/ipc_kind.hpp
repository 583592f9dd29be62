#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "grader/trace/calls.hpp"

namespace ipcgrade::trace {

std::string_view ipc_kind_name(IpcKind kind);  // "msg", "shm", "sem", "posix-mq", ..., "fifo", "file"
std::optional<IpcKind> parse_ipc_kind(std::string_view name);
// The kind as a sentence names it: "message queue", "POSIX shared memory objects".
std::string ipc_kind_noun(IpcKind kind, bool plural = false);
// A System V kind (with a key and an id), as opposed to one with a name or a path.
constexpr bool is_sysv(IpcKind kind) {
  return kind == IpcKind::MsgQueue || kind == IpcKind::ShmSegment || kind == IpcKind::SemSet;
}

// The kind of object a family of calls makes (Msg, Shm, Sem); nullopt for the others.
constexpr std::optional<IpcKind> ipc_kind_of(Family family) {
  if (family == Family::Msg) return IpcKind::MsgQueue;
  if (family == Family::Shm) return IpcKind::ShmSegment;
  if (family == Family::Sem) return IpcKind::SemSet;
  return std::nullopt;
}
// From the call table: the call that makes an object of a kind ("msgget", "mq_open", "mkfifo"); for
// a System V kind the call that removes it ("msgctl", whose first argument is the id), for the others
// the call that removes it by its name or path ("mq_unlink", "unlink").
const CallRow* creating_call(IpcKind kind);
const CallRow* control_call(IpcKind kind);
const CallRow* removing_call(IpcKind kind);

}  // namespace ipcgrade::trace
