#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

// The one escaping of text from a submission (program output, build logs, file names, names from
// debug information) before it reaches a reader: ESC becomes \e, the other C0 controls but tab and
// newline \xNN, DEL \x7f, the C1 controls (U+0080..U+009F) \u00NN, invalid UTF-8 U+FFFD — so no escape
// sequence or carriage return can clear or repaint the terminal that shows it. Idempotent. `quoted`
// also writes newline, tab, quote and backslash as \n, \t, \" and \\ (a one-line quotation).
std::string escape_controls(std::string_view bytes, bool quoted = false);
// Text that must stay on one line (a name, an evidence line, a refusal): escape_controls, and every line
// break written out too — newline as \n, U+2028 and U+2029 as \u2028 and \u2029 (U+0085 is a C1
// control) — so that a file name cannot print a line of its own ("  PASS  ...", "Score: 100/100").
std::string one_line(std::string_view bytes);
// How evidence, feedback and outcomes name a process: "server (pid 1000)", or "client #1 (pid 1002)"
// with its instance; the name alone when the pid is not known.
std::string process_label(std::string_view name, long pid, std::optional<int> index = std::nullopt);
// "a, b and c" (or "a, b or c" with `last` = "or"): the items of a sentence's list.
std::string listing(const std::vector<std::string>& items, std::string_view last = "and");
// The columns `text` takes on a terminal or a page: one per code point (the grader's own text and
// escaped submission text have no wide characters).
size_t columns(std::string_view text);
// `text` cut to at most `width` columns, "…" last where it was cut; never inside a UTF-8 character.
std::string cut_to_columns(std::string_view text, size_t width);
// A path from the submission as a report shows it: escaped, and cut at 256 bytes ("...").
std::string shown_path(std::string_view path);

}  // namespace ipcgrade::util
