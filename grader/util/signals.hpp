#pragma once
#include <optional>
#include <string>

namespace ipcgrade::util {

// "SIGINT" for 2; "signal 40" for a number without a name (real-time signals).
std::string signal_name(int signal);
// A signal as an assignment file or a command line writes it: "SIGINT", "INT" or "2".
std::optional<int> parse_signal(const std::string& text);

}  // namespace ipcgrade::util
