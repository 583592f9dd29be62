#include "grader/tracer/message_structs.hpp"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <tuple>
#include <utility>
#include <vector>

namespace ipcgrade::tracer {

namespace {

// Follows typedefs and qualifiers to the type underneath.
bool underlying(Dwarf_Die* die, Dwarf_Die* out) {
  Dwarf_Attribute attr;
  Dwarf_Die type;
  if (!dwarf_attr_integrate(die, DW_AT_type, &attr) || !dwarf_formref_die(&attr, &type)) return false;
  for (int depth = 0; depth < 8; ++depth) {
    const int tag = dwarf_tag(&type);
    if (tag != DW_TAG_typedef && tag != DW_TAG_const_type && tag != DW_TAG_volatile_type) break;
    if (!dwarf_attr_integrate(&type, DW_AT_type, &attr) || !dwarf_formref_die(&attr, &type)) return false;
  }
  *out = type;
  return true;
}

// A struct whose first member is a signed 8-byte integer at offset 0.
bool message_shaped(Dwarf_Die* st) {
  Dwarf_Die member;
  if (dwarf_child(st, &member) != 0 || dwarf_tag(&member) != DW_TAG_member) return false;
  Dwarf_Attribute attr;
  Dwarf_Word offset = 0;
  if (dwarf_attr(&member, DW_AT_data_member_location, &attr) && dwarf_formudata(&attr, &offset) != 0)
    return false;
  if (offset != 0) return false;
  Dwarf_Die type;
  if (!underlying(&member, &type) || dwarf_tag(&type) != DW_TAG_base_type) return false;
  Dwarf_Word encoding = 0;
  if (!dwarf_attr(&type, DW_AT_encoding, &attr) || dwarf_formudata(&attr, &encoding) != 0) return false;
  return encoding == DW_ATE_signed && dwarf_bytesize(&type) == static_cast<int>(sizeof(long));
}

// Real programs nest functions, namespaces and blocks a few levels deep; the debug information is the
// submission's own, and can nest 400,000 blocks. The walk keeps its own stack, bounded in depth and in the
// entries it visits, so that no input can exhaust the supervisor's stack or time.
constexpr int kMaxDepth = 64;
constexpr size_t kMaxEntries = 2'000'000;
constexpr size_t kMaxStructs = 1000;

void walk(Dwarf_Die* unit, std::vector<MessageStruct>& out, size_t& visited) {
  std::vector<std::pair<Dwarf_Die, int>> pending{{*unit, 0}};  // entries whose children are to be seen
  while (!pending.empty()) {
    auto [die, depth] = pending.back();
    pending.pop_back();
    Dwarf_Die child;
    if (dwarf_child(&die, &child) != 0) continue;
    do {
      if (++visited > kMaxEntries || out.size() >= kMaxStructs) return;
      const int tag = dwarf_tag(&child);
      if (tag == DW_TAG_structure_type && message_shaped(&child)) {
        const int size = dwarf_bytesize(&child);
        const char* name = dwarf_diename(&child);
        if (size > static_cast<int>(sizeof(long))) {
          out.push_back({name ? name : "(anonymous)", static_cast<unsigned long>(size)});
        }
      }
      // Structs can be declared inside functions and namespaces too.
      if ((tag == DW_TAG_subprogram || tag == DW_TAG_namespace || tag == DW_TAG_lexical_block) &&
          depth + 1 < kMaxDepth)
        pending.emplace_back(child, depth + 1);
    } while (dwarf_siblingof(&child, &child) == 0);
  }
}

}  // namespace

std::vector<MessageStruct> message_structs(const std::string& path) {
  std::vector<MessageStruct> out;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return out;
  if (Dwarf* dw = dwarf_begin(fd, DWARF_C_READ)) {
    Dwarf_Off offset = 0, next;
    size_t header = 0, visited = 0;
    while (dwarf_nextcu(dw, offset, &next, &header, nullptr, nullptr, nullptr) == 0) {
      Dwarf_Die cu;
      if (dwarf_offdie(dw, offset + header, &cu)) walk(&cu, out, visited);
      offset = next;
    }
    dwarf_end(dw);
  }
  ::close(fd);
  // One entry per name and size (headers repeat a struct in every unit that includes them).
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return std::tie(a.name, a.size) < std::tie(b.name, b.size); });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const auto& a, const auto& b) { return a.name == b.name && a.size == b.size; }),
            out.end());
  return out;
}

}  // namespace ipcgrade::tracer
