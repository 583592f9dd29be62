#include <fmt/format.h>

#include "checks/check.hpp"
#include "grader/util/text.hpp"

namespace ipcgrade::checks {

std::string describe(const run::ProcessResult& process) {
  if (process.pid > 0) return fmt::format("{} #{} (pid {})", process.name, process.index, process.pid);
  return fmt::format("{} #{}", process.name, process.index);
}

std::string quote_output(const std::string& text, size_t limit) {
  if (text.size() <= limit) return "\"" + util::escape_controls(text, true) + "\"";
  return "\"" + util::escape_controls(text.substr(0, limit), true) + "...\"";
}

}  // namespace ipcgrade::checks
