#include <fmt/format.h>

#include <cstring>

#include "grader/trace/trace.hpp"

namespace ipcgrade::trace {

namespace {
// The order arguments are printed in, per call: the order of the C prototype.
const std::map<std::string, std::vector<std::string>>& argument_order() {
  static const std::map<std::string, std::vector<std::string>> order = {
      {"msgget", {"key", "flags"}},
      {"msgsnd", {"msqid", "mtype", "msgsz", "msgflg"}},
      {"msgrcv", {"msqid", "msgp", "msgsz", "msgtyp", "msgflg"}},
      {"msgctl", {"msqid", "cmd"}},
      {"shmget", {"key", "size", "flags"}},
      {"shmat", {"shmid", "shmaddr", "shmflg"}},
      {"shmdt", {"shmaddr"}},
      {"shmctl", {"shmid", "cmd"}},
      {"semget", {"key", "nsems", "flags"}},
      {"semop", {"semid", "nsops"}},
      {"semtimedop", {"semid", "nsops"}},
      {"semctl", {"semid", "semnum", "cmd"}},
      {"read", {"fd", "buf", "count"}},
      {"write", {"fd", "head", "count"}},
      {"close", {"fd"}},
      {"dup", {"oldfd"}},
      {"dup2", {"oldfd", "newfd"}},
      {"dup3", {"oldfd", "newfd"}},
  };
  return order;
}
}  // namespace

std::string format_call(const trace::Event& call) {
  std::string args;
  auto order = argument_order().find(call.call);
  if (order != argument_order().end()) {
    for (const auto& name : order->second) {
      std::string shown;
      auto it = call.args.find(name);
      if (name == "msgp" || name == "buf") {
        shown = name == "msgp" ? "{...}" : "...";  // filled by the kernel: nothing to show at entry
      } else if (it == call.args.end()) {
        continue;
      } else if (name == "mtype") {
        shown = "{mtype=" + it->second + ", ...}";
      } else if (name == "head") {
        // The first bytes written, as strace shows them: "..." after the quote when there is more.
        shown = "\"" + it->second + "\"" + (call.number("count") > 24 ? "..." : "");
      } else {
        shown = it->second;
      }
      args += (args.empty() ? "" : ", ") + shown;
    }
  }
  std::string out = fmt::format("{}({})", call.call, args);
  if (call.error) {
    out += fmt::format(" = -1 {}", strerrorname_np(call.error) ? strerrorname_np(call.error) : "error");
  } else if (call.has("address")) {
    out += " = " + call.args.at("address");
  } else if (call.result) {
    out += fmt::format(" = {}", *call.result);
  }
  return out;
}

}  // namespace ipcgrade::trace

namespace ipcgrade::trace {

std::string Refusal::describe() const {
  std::string out = fmt::format("{} (pid {}): {} was refused with {}", process, pid, call, error);
  if (count > 1) out += fmt::format(" ({} times)", count);
  if (!why.empty()) out += ": " + why;
  return out;
}

}  // namespace ipcgrade::trace
