#include "grader/runner/keys.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "grader/config/error.hpp"
#include "grader/util/fingerprint.hpp"

namespace ipcgrade::runner {

namespace {

std::uint64_t fnv1a(const std::string& text) {
  return util::Fingerprint().add(text).value();
}

std::string trim(std::string s) {
  const auto first = s.find_first_not_of(" \t\r");
  const auto last = s.find_last_not_of(" \t\r");
  return first == std::string::npos ? "" : s.substr(first, last - first + 1);
}

std::vector<key_t> from_roster(const config::Assignment& a, const std::string& student) {
  const auto& path = *a.keys.roster;
  std::ifstream in(path);
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    std::vector<std::string> cells;
    std::istringstream row(line);
    std::string cell;
    while (std::getline(row, cell, ',')) cells.push_back(trim(cell));
    if (cells.empty() || cells[0] != student) continue;
    if (static_cast<int>(cells.size()) < 1 + a.keys.count) {
      throw config::ConfigError(fmt::format("{}:{}: student '{}' needs {} key column(s)", path.string(),
                                            line_no, student, a.keys.count));
    }
    std::vector<key_t> keys;
    for (int i = 0; i < a.keys.count; ++i) {
      try {
        keys.push_back(static_cast<key_t>(std::stol(cells[1 + i], nullptr, 0)));
      } catch (const std::exception&) {
        throw config::ConfigError(
            fmt::format("{}:{}: '{}' is not a key", path.string(), line_no, cells[1 + i]));
      }
      if (keys.back() <= 0) {
        throw config::ConfigError(fmt::format("{}:{}: keys must be positive", path.string(), line_no));
      }
    }
    return keys;
  }
  throw config::ConfigError(fmt::format("{}: no row for student '{}'", path.string(), student));
}

}  // namespace

std::vector<key_t> assign_keys(const config::Assignment& a, const std::string& student,
                               const std::string& secret) {
  if (a.keys.roster) return from_roster(a, student);
  std::vector<key_t> keys;
  key_t base;
  if (a.keys.base) {
    base = *a.keys.base;
  } else {
    // Blocks of 16 keys between 0x00100000 and 0x7ff00000: positive, never IPC_PRIVATE, and clear of
    // the small keys (0x1234, 0x5000) that textbooks and students hard-code.
    const std::uint64_t blocks = (0x7ff00000ULL - 0x00100000ULL) / 16;
    base = static_cast<key_t>(
        0x00100000ULL + (fnv1a((secret.empty() ? "" : secret + "/") + a.id + "/" + student) % blocks) * 16);
  }
  for (int i = 0; i < a.keys.count; ++i) keys.push_back(base + i);
  return keys;
}

}  // namespace ipcgrade::runner
