#pragma once
#include <string>
#include <string_view>

namespace ipcgrade::util {

// Replaces every byte sequence that is not valid UTF-8 with U+FFFD, so program output can be carried
// by formats that must be UTF-8 (JSON, YAML, XML).
std::string valid_utf8(std::string_view bytes);

}  // namespace ipcgrade::util
