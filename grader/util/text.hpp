#pragma once
#include <string>
#include <string_view>

namespace ipcgrade::util {

// Replaces every byte sequence that is not valid UTF-8 with U+FFFD, so program output can be carried
// by formats that must be UTF-8 (JSON, YAML, XML).
std::string valid_utf8(std::string_view bytes);

// valid_utf8, and control characters other than tab, newline and carriage return replaced with
// U+FFFD: what XML 1.0 can carry.
std::string xml_text(std::string_view bytes);

// Bytes as the trace spells them: printable ASCII as is, newline as \n, NUL as \0, a backslash as
// \\, anything else as \xNN.
std::string escape_bytes(std::string_view bytes);

}  // namespace ipcgrade::util

namespace ipcgrade::util {

// Text from a submission made safe to show: control bytes (C0 but tab and newline, DEL, and the C1
// controls U+0080..U+009F) become \xNN and \u00NN, so an escape sequence or a carriage return in a build log
// can neither clear nor repaint the reader's terminal; invalid UTF-8 becomes U+FFFD.
std::string escape_controls(std::string_view bytes);

}  // namespace ipcgrade::util
