#include "grader/util/text.hpp"

#include <fmt/format.h>

namespace ipcgrade::util {

std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    bool ok = len > 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) >> 6) == 0x2;
    if (ok && len > 1) {
      // Reject overlong forms, surrogates and code points past U+10FFFF.
      unsigned cp = c & (0xff >> (len + 1));
      for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
      const unsigned min[] = {0, 0, 0x80, 0x800, 0x10000};
      ok = cp >= min[len] && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
    }
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += "\xef\xbf\xbd";
      ++i;
    }
  }
  return out;
}

std::string xml_text(std::string_view bytes) {
  std::string out;
  for (char c : valid_utf8(bytes)) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t' && c != '\n' && c != '\r') || u == 0x7f) {
      out += "\xef\xbf\xbd";
    } else {
      out += c;
    }
  }
  return out;
}

std::string escape_bytes(std::string_view bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    if (c == '\n')
      out += "\\n";
    else if (c == '\0')
      out += "\\0";
    else if (c == '\\')
      out += "\\\\";
    else if (c < 0x20 || c >= 0x7f)
      out += std::string("\\x") + digits[c >> 4] + digits[c & 15];
    else
      out += static_cast<char>(c);
  }
  return out;
}

}  // namespace ipcgrade::util

namespace ipcgrade::util {

std::string escape_controls(std::string_view bytes, bool quoted) {
  const std::string text = valid_utf8(bytes);
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (quoted && (c == '\n' || c == '\t' || c == '"' || c == '\\')) {
      out += c == '\n' ? "\\n" : c == '\t' ? "\\t" : c == '"' ? "\\\"" : "\\\\";
    } else if (c == 0x1b) {
      out += "\\e";
    } else if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else if (c == 0xc2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(text[i + 1]) <= 0x9f) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned char>(text[i + 1]));
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string one_line(std::string_view bytes) {
  const std::string text = escape_controls(bytes);
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') {
      out += "\\n";
    } else if (text.compare(i, 3, "\xe2\x80\xa8") == 0 || text.compare(i, 3, "\xe2\x80\xa9") == 0) {
      out += text[i + 2] == '\xa8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string shown_path(std::string_view path) {
  constexpr size_t kShown = 256;
  return path.size() > kShown ? one_line(path.substr(0, kShown)) + "..." : one_line(path);
}

std::string process_label(std::string_view name, long pid, std::optional<int> index) {
  std::string out(name);
  if (index) out += fmt::format(" #{}", *index);
  if (pid > 0) out += fmt::format(" (pid {})", pid);
  return out;
}

std::string listing(const std::vector<std::string>& items, std::string_view last) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i)
    out += (i == 0                  ? ""
            : i + 1 == items.size() ? " " + std::string(last) + " "
                                    : std::string(", ")) +
           items[i];
  return out;
}

size_t columns(std::string_view text) {
  size_t n = 0;
  for (const unsigned char c : text) n += (c & 0xc0) != 0x80 ? 1 : 0;
  return n;
}

std::string cut_to_columns(std::string_view text, size_t width) {
  if (columns(text) <= width) return std::string(text);
  if (width == 0) return {};
  std::string out;
  size_t kept = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool starts = (static_cast<unsigned char>(text[i]) & 0xc0) != 0x80;
    if (starts && kept++ == width - 1) break;
    out += text[i];
  }
  return out + "…";
}

}  // namespace ipcgrade::util
