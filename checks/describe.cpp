#include <fmt/format.h>

#include "checks/check.hpp"
#include "grader/util/text.hpp"

namespace ipcgrade::checks {

std::string describe(const run::ProcessResult& process) {
  return util::process_label(process.name, process.pid, process.index);
}

std::string not_started(const run::ProcessResult& process) {
  return process.never_reached
             ? fmt::format("{} never started: {}", describe(process), process.start_error)
             : fmt::format("{} could not be started: {}", describe(process), process.start_error);
}

std::string quote_output(const std::string& text, size_t limit) {
  if (text.size() <= limit) return "\"" + util::escape_controls(text, true) + "\"";
  return "\"" + util::escape_controls(text.substr(0, limit), true) + "...\"";
}

}  // namespace ipcgrade::checks
