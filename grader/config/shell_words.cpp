#include "grader/config/shell_words.hpp"

namespace ipcgrade::config {

std::optional<std::vector<std::string>> split_shell_words(std::string_view text, std::string* error) {
  std::vector<std::string> words;
  std::string current;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote == '\'') {
      if (c == '\'')
        quote = 0;
      else
        current += c;
      continue;
    }
    if (quote == '"') {
      if (c == '"') {
        quote = 0;
      } else if (c == '\\' && i + 1 < text.size() && (text[i + 1] == '"' || text[i + 1] == '\\')) {
        current += text[++i];
      } else {
        current += c;
      }
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(current));
      current.clear();
      in_word = false;
      continue;
    }
    // No shell runs the command, so an operator would reach the program as an argument: `./server &
    // ./client` would start one server with two odd arguments. Refused, with the way to say it.
    if (c == '&' || c == '|' || c == ';' || c == '<' || c == '>' || c == '`' ||
        (c == '$' && i + 1 < text.size() && text[i + 1] == '(')) {
      const size_t n =
          (c == '$' || ((c == '&' || c == '|' || c == '>') && i + 1 < text.size() && text[i + 1] == c)) ? 2
                                                                                                        : 1;
      if (error) {
        *error = "'" + std::string(text.substr(i, n)) +
                 "' is a shell operator, but no shell runs this command; write it as run: [sh, -c, '...'] "
                 "(or quote the character if the program should get it as an argument)";
      }
      return std::nullopt;
    }
    in_word = true;
    if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '\\' && i + 1 < text.size()) {
      current += text[++i];
    } else {
      current += c;
    }
  }
  if (quote != 0) {
    if (error) *error = std::string("unterminated ") + (quote == '"' ? "double" : "single") + " quote";
    return std::nullopt;
  }
  if (in_word) words.push_back(std::move(current));
  return words;
}

}  // namespace ipcgrade::config
