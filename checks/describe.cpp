#include <fmt/format.h>

#include "checks/check.hpp"

namespace ipcgrade::checks {

std::string describe(const run::ProcessResult& process) {
  if (process.pid > 0) return fmt::format("{} #{} (pid {})", process.name, process.index, process.pid);
  return fmt::format("{} #{}", process.name, process.index);
}

std::string quote_output(const std::string& text, size_t limit) {
  std::string out = "\"";
  size_t shown = 0;
  for (unsigned char c : text) {
    if (shown >= limit) {
      out += "...";
      break;
    }
    if (c == '\n')
      out += "\\n";
    else if (c == '\t')
      out += "\\t";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\\')
      out += "\\\\";
    else if (c < 0x20 || c == 0x7f)
      out += fmt::format("\\x{:02x}", c);
    else
      out += static_cast<char>(c);
    ++shown;
  }
  return out + "\"";
}

}  // namespace ipcgrade::checks
