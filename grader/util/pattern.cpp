#include "grader/util/pattern.hpp"

#include <re2/re2.h>

#include <fmt/format.h>

namespace ipcgrade::util {

std::optional<Pattern> Pattern::compile(const std::string& text, std::string* error) {
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_shared<const RE2>(text, options);
  if (!re->ok()) {
    if (error) {
      // RE2 names the offending part of the pattern; its place makes the message one an instructor can act
      // on.
      const std::string& part = re->error_arg();
      const auto at = part.empty() ? std::string::npos : text.find(part);
      *error =
          at == std::string::npos ? re->error() : fmt::format("{} (at character {})", re->error(), at + 1);
    }
    return std::nullopt;
  }
  Pattern p;
  p.text_ = text;
  p.re_ = std::move(re);
  return p;
}

bool Pattern::matches_whole(std::string_view text) const {
  return RE2::FullMatch(re2::StringPiece(text.data(), text.size()), *re_);
}

bool Pattern::found_in(std::string_view text) const {
  return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *re_);
}

}  // namespace ipcgrade::util
