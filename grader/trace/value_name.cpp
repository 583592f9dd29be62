#include "grader/trace/value_name.hpp"

#include <cstdlib>

namespace ipcgrade::trace {

// Reached only from ValueName's consteval constructor, which must run while compiling: gcc refuses a
// name that is not in kValueNames there. clang 14 (the fuzz build) sometimes emits such an evaluation
// as code instead; for a known name it never calls this, and an unknown one could not have built with
// gcc, so reaching it is a broken build.
void unknown_event_value_name() {
  std::abort();
}

}  // namespace ipcgrade::trace
