#include "grader/supervise/ipc_names.hpp"

#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include <fmt/format.h>

namespace ipcgrade::supervise {

namespace {
std::string join(std::string a, const std::string& b) {
  return a.empty() ? b : a + "|" + b;
}
}  // namespace

std::string key_name(long key) {
  if (key == IPC_PRIVATE) return "IPC_PRIVATE";
  return fmt::format("0x{:08x}", static_cast<unsigned long>(key) & 0xffffffffUL);
}

std::string get_flags_name(long flags) {
  std::string out;
  if (flags & IPC_CREAT) out = join(out, "IPC_CREAT");
  if (flags & IPC_EXCL) out = join(out, "IPC_EXCL");
  return join(out, fmt::format("{:04o}", flags & 0777));
}

std::string msg_flags_name(long flags) {
  std::string out;
  if (flags & IPC_NOWAIT) out = join(out, "IPC_NOWAIT");
  if (flags & MSG_NOERROR) out = join(out, "MSG_NOERROR");
  if (flags & MSG_EXCEPT) out = join(out, "MSG_EXCEPT");
  if (flags & MSG_COPY) out = join(out, "MSG_COPY");
  return out.empty() ? "0" : out;
}

std::string shm_flags_name(long flags) {
  std::string out;
  if (flags & SHM_RDONLY) out = join(out, "SHM_RDONLY");
  if (flags & SHM_RND) out = join(out, "SHM_RND");
  if (flags & SHM_REMAP) out = join(out, "SHM_REMAP");
  if (flags & SHM_EXEC) out = join(out, "SHM_EXEC");
  return out.empty() ? "0" : out;
}

std::string ctl_command_name(long command, char family) {
  const long cmd = command & ~0x100L;  // glibc ors IPC_64 in
  switch (cmd) {
    case IPC_RMID:
      return "IPC_RMID";
    case IPC_SET:
      return "IPC_SET";
    case IPC_STAT:
      return "IPC_STAT";
    case IPC_INFO:
      return "IPC_INFO";
    default:
      break;
  }
  if (family == 'm' && cmd == MSG_STAT) return "MSG_STAT";
  if (family == 'm' && cmd == MSG_INFO) return "MSG_INFO";
  if (family == 's' && cmd == SHM_LOCK) return "SHM_LOCK";
  if (family == 's' && cmd == SHM_UNLOCK) return "SHM_UNLOCK";
  if (family == 's' && cmd == SHM_STAT) return "SHM_STAT";
  if (family == 'e') {
    switch (cmd) {
      case GETVAL:
        return "GETVAL";
      case SETVAL:
        return "SETVAL";
      case GETALL:
        return "GETALL";
      case SETALL:
        return "SETALL";
      case GETPID:
        return "GETPID";
      case GETNCNT:
        return "GETNCNT";
      case GETZCNT:
        return "GETZCNT";
      default:
        break;
    }
  }
  return std::to_string(command);
}

std::string hex(unsigned long long value) {
  return fmt::format("0x{:x}", value);
}

}  // namespace ipcgrade::supervise
