#pragma once
// One IPC family as one unit, in its own folder (grader/families/<name>/): its calls' decoders
// (decode.cpp), what a process blocked in one of them waits for (blocking.cpp, for a family registered
// as Blocks) and how the sequence chart draws them (chart.cpp), each file defining the functions declared
// below in the family's namespace. Its rows are in the call table (grader/trace/calls.cpp), where the seccomp
// filter, the guard and the formatter read them; everything else asks the family. A family is registered with
// one line in families/list.hpp.
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "grader/families/blocked.hpp"
#include "grader/families/chart.hpp"
#include "grader/families/decoders.hpp"
#include "grader/trace/calls.hpp"

namespace ipcgrade::families {

struct Family {
  std::string_view name;  // its folder
  trace::Family id;       // its rows' family in the call table
  bool blocks = false;    // some of its calls can wait on another process (it has a blocking.cpp)
  // Whether a process blocked in one of its calls waits on another process (a read of a pipe, not of
  // a file); null: always.
  bool (*waits_on_others)(const Blocked& b) = nullptr;
  // What a process blocked in one of its calls waits for; nullopt when the family has nothing to say.
  std::optional<Wait> (*wait)(const Blocked& b, const trace::Trace& trace) = nullptr;
  // Why that cannot come: the end of the sentence.
  std::string (*why_stuck)(const Blocked& b, std::span<const Blocked> all,
                           const trace::Trace& trace) = nullptr;
  std::span<const Decoder> (*decoders)() = nullptr;
  // Draws one of its calls (nothing for a call it does not draw).
  void (*draw)(const trace::Event& e, Chart& chart) = nullptr;
};

// What each family's folder defines, in namespace families::<folder>: blocking.cpp only for a family
// some of whose calls can block.
#define FAMILY_BLOCKING_Blocks                                                              \
  bool waits_on_others(const Blocked& b);                                /* blocking.cpp */ \
  std::optional<Wait> wait(const Blocked& b, const trace::Trace& trace); /* blocking.cpp */ \
  std::string why_stuck(const Blocked& b, std::span<const Blocked> all,                     \
                        const trace::Trace& trace); /* blocking.cpp */
#define FAMILY_BLOCKING_NeverBlocks
#define FAMILY(folder, rows, blocking)                             \
  namespace folder {                                               \
  std::span<const Decoder> decoders();            /* decode.cpp */ \
  void draw(const trace::Event& e, Chart& chart); /* chart.cpp */  \
  FAMILY_BLOCKING_##blocking                                       \
  }
#include "grader/families/list.hpp"
#undef FAMILY
#undef FAMILY_BLOCKING_Blocks
#undef FAMILY_BLOCKING_NeverBlocks

// Every family, in registration order.
std::span<const Family* const> all_families();
// The family of a call table row's Family; null for calls of no IPC family (processes, the guard's).
const Family* family_of(trace::Family id);
// The family of a traced call by the name events give it; null when none.
const Family* family_of_call(std::string_view call);

}  // namespace ipcgrade::families
