#include "grader/trace/ipc_kind.hpp"

#include <array>

namespace ipcgrade::trace {

namespace {

struct KindNames {
  std::string_view name, noun, nouns;
};

constexpr std::array<KindNames, 12> kKinds = {{
    {"msg", "message queue", "message queues"},
    {"shm", "shared memory segment", "shared memory segments"},
    {"sem", "semaphore set", "semaphore sets"},
    {"posix-mq", "POSIX message queue", "POSIX message queues"},
    {"posix-shm", "POSIX shared memory object", "POSIX shared memory objects"},
    {"posix-sem", "POSIX named semaphore", "POSIX named semaphores"},
    {"fifo", "FIFO", "FIFOs"},
    {"socket", "socket file", "socket files"},
    {"directory", "folder", "folders"},
    {"symlink", "symbolic link", "symbolic links"},
    {"file", "file", "files"},
    {"device", "device", "devices"},
}};

const CallRow* row_of(IpcKind kind, bool creating) {
  for (const auto& row : call_table()) {
    if (creating && row.object == kind && row.creates != Creates::No) return &row;
    if (ipc_kind_of(row.family) != kind) continue;
    if (creating ? row.creates == Creates::WithIpcCreat : row.guard == Guard::OwnObject) return &row;
  }
  return nullptr;
}

}  // namespace

std::string_view ipc_kind_name(IpcKind kind) {
  return kKinds[static_cast<size_t>(kind)].name;
}

std::optional<IpcKind> parse_ipc_kind(std::string_view name) {
  for (size_t i = 0; i < kKinds.size(); ++i) {
    if (kKinds[i].name == name) return static_cast<IpcKind>(i);
  }
  return std::nullopt;
}

std::string ipc_kind_noun(IpcKind kind, bool plural) {
  const auto& k = kKinds[static_cast<size_t>(kind)];
  return std::string(plural ? k.nouns : k.noun);
}

const CallRow* creating_call(IpcKind kind) {
  return row_of(kind, true);
}

const CallRow* control_call(IpcKind kind) {
  return row_of(kind, false);
}

const CallRow* removing_call(IpcKind kind) {
  for (const auto& row : call_table()) {
    if (row.removes && row.object == kind) return &row;
  }
  return nullptr;
}

}  // namespace ipcgrade::trace
