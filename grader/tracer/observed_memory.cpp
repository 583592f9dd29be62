#include "grader/tracer/observed_memory.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

namespace ipcgrade::tracer {

std::string ObservedMemory::read(std::uint64_t address, size_t length) const {
  for (const auto& [region, bytes] :
       {std::pair{&call_.head, call_.head_bytes}, {&call_.tail, call_.tail_bytes}}) {
    if (region->length == 0 || address < region->address || address >= region->address + region->length)
      continue;
    const size_t at = address - region->address;
    return std::string(reinterpret_cast<const char*>(bytes) + at,
                       std::min<size_t>(length, region->length - at));
  }
  return {};
}

std::optional<unsigned long> ObservedMemory::stack_word(std::uint64_t address) const {
  const std::uint64_t sp = call_.regs[19];  // rsp
  // Checked without adding to the address, which may be near the top of the address space.
  unsigned long word;
  if (address < sp || address - sp > call_.stack_length || call_.stack_length - (address - sp) < sizeof word)
    return std::nullopt;
  std::memcpy(&word, call_.stack + (address - sp), sizeof word);
  return word;
}

}  // namespace ipcgrade::tracer
