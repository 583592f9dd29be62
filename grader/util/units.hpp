#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ipcgrade::util {

using Millis = std::chrono::milliseconds;

// "250ms", "10s", "1.5s", "2m", "1h" -> milliseconds. nullopt when the text is not a duration.
std::optional<Millis> parse_duration(std::string_view text);
// "64KiB", "256MiB", "1GiB", "4096", "10MB" -> bytes. nullopt when the text is not a size.
std::optional<std::uint64_t> parse_size(std::string_view text);

std::string format_duration(Millis d);         // 10000ms -> "10s", 250ms -> "250ms"
std::string format_size(std::uint64_t bytes);  // 65536 -> "64 KiB"
// A size as a person reads it in a message: "8.0 GiB", "19.1 MiB" (format_size is exact).
std::string approx_size(std::uint64_t bytes);

}  // namespace ipcgrade::util
