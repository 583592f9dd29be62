#include "grader/tracer/observed_memory.hpp"

#include <algorithm>
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

}  // namespace ipcgrade::tracer
