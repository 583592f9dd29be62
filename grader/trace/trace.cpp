#include "grader/trace/trace.hpp"

#include <array>

namespace ipcgrade::trace {

namespace {
constexpr std::array<std::string_view, 4> kKindNames = {"spawn", "exec", "exit", "call"};
}

std::string_view kind_name(EventKind kind) {
  return kKindNames[static_cast<size_t>(kind)];
}

std::optional<EventKind> parse_kind(std::string_view name) {
  for (size_t i = 0; i < kKindNames.size(); ++i) {
    if (kKindNames[i] == name) return static_cast<EventKind>(i);
  }
  return std::nullopt;
}

std::uint64_t approximate_bytes(const Event& e) {
  // A string's heap block when past the small-string buffer; a map node's links and colour besides.
  const auto text = [](const std::string& s) -> std::uint64_t {
    return s.size() > 15 ? s.capacity() + 1 : 0;
  };
  std::uint64_t bytes = sizeof(Event) + text(e.process) + text(e.program) + text(e.call) + text(e.at);
  bytes += e.values.size() * sizeof(std::pair<ValueName, long long>);
  for (const auto& [name, value] : e.texts) bytes += sizeof(std::pair<ValueName, std::string>) + text(value);
  bytes += e.other_ends.capacity() * sizeof(int) + e.sem_ops.capacity() * sizeof(SemOp);
  for (const auto& s : e.message_structs) bytes += sizeof(s) + text(s.name);
  return bytes;
}

}  // namespace ipcgrade::trace
