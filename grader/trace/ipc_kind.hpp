#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

#include "grader/trace/calls.hpp"

namespace ipcgrade::trace {

// The kinds of System V object, one spelling each: the report's and the journal's "msg", "shm", "sem".
enum class IpcKind : std::uint8_t { MsgQueue, ShmSegment, SemSet };

constexpr std::string_view ipc_kind_name(IpcKind kind) {
  return kind == IpcKind::MsgQueue ? "msg" : kind == IpcKind::ShmSegment ? "shm" : "sem";
}
constexpr std::optional<IpcKind> parse_ipc_kind(std::string_view name) {
  if (name == "msg") return IpcKind::MsgQueue;
  if (name == "shm") return IpcKind::ShmSegment;
  if (name == "sem") return IpcKind::SemSet;
  return std::nullopt;
}
// The kind of object a family of calls makes (Msg, Shm, Sem); nullopt for the others.
constexpr std::optional<IpcKind> ipc_kind_of(Family family) {
  if (family == Family::Msg) return IpcKind::MsgQueue;
  if (family == Family::Shm) return IpcKind::ShmSegment;
  if (family == Family::Sem) return IpcKind::SemSet;
  return std::nullopt;
}

}  // namespace ipcgrade::trace
