#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "grader/trace/calls.hpp"

namespace ipcgrade::trace {

// The kinds of object a run can leave behind, one spelling each ("msg", "posix-mq", "fifo", ...): in the
// report, the journal, `audit` and the leftovers' evidence. System V objects first; then POSIX objects by
// name; then names in the file system (a FIFO, a socket file, ... made outside the working folder).
enum class IpcKind : std::uint8_t {
  MsgQueue,
  ShmSegment,
  SemSet,
  PosixMq,
  PosixShm,
  PosixSem,
  Fifo,
  Socket,
  Directory,
  Symlink,
  File,
  Device,
};

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
// From the call table, for a System V kind: the call that makes an object ("msgget"), the call that
// removes it ("msgctl"), and the name of that call's id argument ("msqid").
const CallRow* creating_call(IpcKind kind);
const CallRow* control_call(IpcKind kind);

}  // namespace ipcgrade::trace
