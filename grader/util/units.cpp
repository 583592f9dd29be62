#include "grader/util/units.hpp"

#include <fmt/format.h>

#include <cmath>
#include <regex>

namespace ipcgrade::util {

std::optional<Millis> parse_duration(std::string_view text) {
  static const std::regex re(R"(^\s*([0-9]+(?:\.[0-9]+)?)\s*(ms|s|m|h)\s*$)");
  std::cmatch m;
  if (!std::regex_match(text.begin(), text.end(), m, re)) return std::nullopt;
  const double value = std::stod(m[1].str());
  const std::string unit = m[2].str();
  const double factor = unit == "ms" ? 1.0 : unit == "s" ? 1e3 : unit == "m" ? 60e3 : 3600e3;
  const double ms = value * factor;
  if (ms > 1e12) return std::nullopt;
  return Millis(static_cast<std::int64_t>(std::llround(ms)));
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
  static const std::regex re(R"(^\s*([0-9]+)\s*(B|KiB|MiB|GiB|KB|MB|GB|k|K|M|G)?\s*$)");
  std::cmatch m;
  if (!std::regex_match(text.begin(), text.end(), m, re)) return std::nullopt;
  if (m[1].length() > 15) return std::nullopt;
  const std::uint64_t value = std::stoull(m[1].str());
  const std::string unit = m[2].matched ? m[2].str() : "B";
  std::uint64_t factor = 1;
  if (unit == "KiB" || unit == "K" || unit == "k") factor = 1ULL << 10;
  if (unit == "MiB" || unit == "M") factor = 1ULL << 20;
  if (unit == "GiB" || unit == "G") factor = 1ULL << 30;
  if (unit == "KB") factor = 1000;
  if (unit == "MB") factor = 1000 * 1000;
  if (unit == "GB") factor = 1000 * 1000 * 1000;
  return value * factor;
}

std::string format_duration(Millis d) {
  const auto ms = d.count();
  if (ms % 60000 == 0 && ms >= 60000) return fmt::format("{}m", ms / 60000);
  if (ms % 1000 == 0 && ms >= 1000) return fmt::format("{}s", ms / 1000);
  return fmt::format("{}ms", ms);
}

std::string format_size(std::uint64_t bytes) {
  if (bytes >= (1ULL << 30) && bytes % (1ULL << 30) == 0) return fmt::format("{} GiB", bytes >> 30);
  if (bytes >= (1ULL << 20) && bytes % (1ULL << 20) == 0) return fmt::format("{} MiB", bytes >> 20);
  if (bytes >= (1ULL << 10) && bytes % (1ULL << 10) == 0) return fmt::format("{} KiB", bytes >> 10);
  return fmt::format("{} bytes", bytes);
}

std::string approx_size(std::uint64_t bytes) {
  if (bytes >= (1ULL << 30)) return fmt::format("{:.1f} GiB", static_cast<double>(bytes) / (1ULL << 30));
  if (bytes >= (1ULL << 20)) return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1ULL << 20));
  return format_size(bytes);
}

}  // namespace ipcgrade::util
