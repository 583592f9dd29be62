#pragma once
#include "grader/families/tracee_memory.hpp"
#include "grader/observer/observer.hpp"

namespace ipcgrade::tracer {

// A tracee's memory as the observer copied it for one call: the regions it read (a message's mtype, a
// semop's operations, a write's first and last bytes). Anything else reads as unreadable, as a page
// the process had unmapped would: a decoder then records what it records for that.
class ObservedMemory final : public families::Memory {
 public:
  explicit ObservedMemory(const observer::ObservedCall& call) : call_(call) {}

  std::string read(std::uint64_t address, size_t length) const override;
  std::optional<families::FileId> file_of(int) const override { return std::nullopt; }
  std::optional<families::FileId> file_at(int, const std::string&) const override { return std::nullopt; }
  std::string real_path(int, const std::string&) const override { return {}; }
  std::string fd_path(int) const override { return {}; }
  bool queue_exists(const std::string&) const override { return false; }

  // A word of the piece of stack the observer copied (from the stack pointer), for the walk to the call
  // site; nothing outside it, whatever the address (the student's call-frame rules make them).
  std::optional<unsigned long> stack_word(std::uint64_t address) const;

 private:
  const observer::ObservedCall& call_;
};

}  // namespace ipcgrade::tracer
