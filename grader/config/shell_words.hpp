#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ipcgrade::config {

// Splits a command line the way a shell splits words: blanks separate, '...' and "..." quote, a
// backslash escapes the next character (outside single quotes). Nothing is expanded. Returns nullopt
// (and sets `error`) for an unterminated quote, and for a shell operator outside quotes (& && | || ;
// < > >> ` $( ): no shell runs the command, so the operator would reach the program as an argument.
std::optional<std::vector<std::string>> split_shell_words(std::string_view text, std::string* error);

}  // namespace ipcgrade::config
