// The registered families (families/list.hpp), and the lookups the tracer, the watchdog and the chart
// use to ask the family of a call.
#include <map>
#include <stdexcept>
#include <vector>

#include "grader/families/family.hpp"

namespace ipcgrade::families {

namespace {

// A family none of whose calls waits on another process (System V shared memory, timers): the
// watchdog never asks it, and if it did it would have nothing to say.
bool waits_on_nobody(const Blocked&) {
  return false;
}
std::optional<Wait> waits_for_nothing(const Blocked&, const trace::Trace&) {
  return std::nullopt;
}
std::string no_reason(const Blocked&, std::span<const Blocked>, const trace::Trace&) {
  return {};
}

}  // namespace

std::span<const Family* const> all_families() {
  static const std::vector<Family> units = {
#define FAMILY_WAITS_Blocks(folder) true, &folder::waits_on_others, &folder::wait, &folder::why_stuck
#define FAMILY_WAITS_NeverBlocks(folder) false, &waits_on_nobody, &waits_for_nothing, &no_reason
#define FAMILY(folder, rows, blocking) \
  Family{#folder, trace::Family::rows, FAMILY_WAITS_##blocking(folder), &folder::decoders, &folder::draw},
#include "grader/families/list.hpp"
#undef FAMILY
#undef FAMILY_WAITS_Blocks
#undef FAMILY_WAITS_NeverBlocks
  };
  static const std::vector<const Family*> list = [] {
    std::vector<const Family*> l;
    for (const Family& f : units) l.push_back(&f);
    return l;
  }();
  return list;
}

const Family* family_of(trace::Family id) {
  static const std::map<trace::Family, const Family*> by_id = [] {
    std::map<trace::Family, const Family*> m;
    for (const Family* f : all_families()) {
      // Two units claiming one family of rows would split its calls: a mistake worth stopping at.
      if (!m.emplace(f->id, f).second)
        throw std::logic_error("two families claim the same rows: " + std::string(f->name));
    }
    return m;
  }();
  const auto it = by_id.find(id);
  return it == by_id.end() ? nullptr : it->second;
}

const Family* family_of_call(std::string_view call) {
  // Each row's family: the family that decodes it (an mmap of a POSIX shared-memory object is an
  // allocation's row, decoded by the files family), else the family of its row (mkfifo, named for the
  // mknodat it makes).
  static const std::map<std::string_view, const Family*> by_call = [] {
    std::map<std::string_view, const Family*> m;
    for (const Family* family : all_families()) {
      for (const auto& d : family->decoders()) m.emplace(d.call, family);
    }
    for (const auto& row : trace::call_table()) {
      if (const Family* family = family_of(row.family)) m.emplace(row.name, family);
    }
    return m;
  }();
  const auto it = by_call.find(call);
  return it == by_call.end() ? nullptr : it->second;
}

}  // namespace ipcgrade::families
