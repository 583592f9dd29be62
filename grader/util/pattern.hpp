#pragma once
// Regular expressions on text a submission controls (its output): RE2, whose matching takes time linear
// in the text and no recursion, so that 64 KiB of output can never exhaust the grader's stack or time.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace re2 {
class RE2;
}

namespace ipcgrade::util {

class Pattern {
 public:
  // The pattern, or why RE2 refuses it: "missing ): at character 7 of '(ab'".
  static std::optional<Pattern> compile(const std::string& text, std::string* error);
  Pattern(const Pattern&) = default;
  Pattern& operator=(const Pattern&) = default;

  bool matches_whole(std::string_view text) const;  // the whole text
  bool found_in(std::string_view text) const;       // anywhere in it
  const std::string& text() const { return text_; }

 private:
  Pattern() = default;
  std::string text_;
  std::shared_ptr<const re2::RE2> re_;
};

}  // namespace ipcgrade::util
