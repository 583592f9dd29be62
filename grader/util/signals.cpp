#include "grader/util/signals.hpp"

#include <signal.h>
#include <string.h>

#include <cstdlib>

namespace ipcgrade::util {

std::string signal_name(int signal) {
  // glibc's abbreviations ("INT"), without the prefix that everyone writes.
  const char* abbrev = signal > 0 && signal < NSIG ? ::sigabbrev_np(signal) : nullptr;
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(signal);
}

std::optional<int> parse_signal(const std::string& text) {
  if (text.empty()) return std::nullopt;
  if (text.find_first_not_of("0123456789") == std::string::npos) {
    const long n = std::strtol(text.c_str(), nullptr, 10);
    return n > 0 && n < NSIG ? std::optional<int>(static_cast<int>(n)) : std::nullopt;
  }
  const std::string bare = text.rfind("SIG", 0) == 0 ? text.substr(3) : text;
  for (int s = 1; s < NSIG; ++s) {
    const char* abbrev = ::sigabbrev_np(s);
    if (abbrev && bare == abbrev) return s;
  }
  return std::nullopt;
}

}  // namespace ipcgrade::util
