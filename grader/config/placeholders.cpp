#include "grader/config/placeholders.hpp"

#include <fmt/format.h>

#include <limits>
#include <regex>

namespace ipcgrade::config {

namespace {
const std::regex& placeholder_re() {
  static const std::regex re(R"(\{(key(\d*)(_hex)?|name(\d*)|index|student|assignment|submission)\})");
  return re;
}

// The number in {key12} or {name3}; one too long for any count (a key count is small) is past every key,
// not an exception: an assignment file is anyone's text.
size_t index_of(const std::string& digits) {
  if (digits.empty()) return 0;
  if (digits.size() > 9) return std::numeric_limits<size_t>::max();
  return std::stoul(digits);
}
}  // namespace

std::string Placeholders::expand(const std::string& text) const {
  std::string out;
  auto begin = std::sregex_iterator(text.begin(), text.end(), placeholder_re());
  size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    const auto& m = *it;
    out += text.substr(last, static_cast<size_t>(m.position(0)) - last);
    last = static_cast<size_t>(m.position(0) + m.length(0));
    const std::string name = m[1].str();
    if (name.rfind("key", 0) == 0) {
      const size_t i = index_of(m[2].str());
      if (i >= keys.size()) {
        out += m.str(0);
        continue;
      }
      out += m[3].matched ? fmt::format("0x{:x}", keys[i]) : std::to_string(keys[i]);
    } else if (name.rfind("name", 0) == 0) {
      const size_t i = index_of(m[4].str());
      out += i < names.size() ? names[i] : m.str(0);
    } else if (name == "index") {
      out += std::to_string(index);
    } else if (name == "student") {
      out += student;
    } else if (name == "assignment") {
      out += assignment;
    } else if (name == "submission") {
      out += submission;
    }
  }
  out += text.substr(last);
  return out;
}

std::optional<std::string> unknown_placeholder(const std::string& text, int key_count) {
  static const std::regex any(R"(\{([A-Za-z0-9_]+)\})");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), any); it != std::sregex_iterator(); ++it) {
    const std::string whole = (*it)[0].str();
    std::smatch m;
    if (!std::regex_match(whole, m, placeholder_re())) return whole;
    if (m[2].length() > 0 && index_of(m[2].str()) >= static_cast<size_t>(key_count)) return whole;
    if (m[4].length() > 0 && index_of(m[4].str()) >= static_cast<size_t>(key_count)) return whole;
  }
  return std::nullopt;
}

std::vector<std::string> object_names(const std::string& assignment_id, const std::vector<key_t>& keys) {
  std::vector<std::string> names;
  for (const key_t key : keys) names.push_back(fmt::format("/{}-{:x}", assignment_id, key));
  return names;
}

}  // namespace ipcgrade::config
