#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

#include "grader/config/error.hpp"
#include "grader/config/yaml_node.hpp"

namespace ipcgrade::config {

namespace {

// Levenshtein distance, for "did you mean" hints on misspelt keys.
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

void fail_at(const std::string& file, const YAML::Mark& mark, const std::string& message) {
  if (mark.is_null()) throw ConfigError(fmt::format("{}: {}", file, message));
  throw ConfigError(fmt::format("{}:{}:{}: {}", file, mark.line + 1, mark.column + 1, message));
}

void reject_unknown_keys(const std::string& file, const YAML::Node& map,
                         const std::vector<std::string_view>& allowed) {
  for (const auto& kv : map) {
    const std::string key = kv.first.as<std::string>("");
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string hint;
    for (auto candidate : allowed) {
      if (edit_distance(key, candidate) <= 2) hint = fmt::format(" (did you mean '{}'?)", candidate);
    }
    std::string list;
    for (auto candidate : allowed) list += (list.empty() ? "" : ", ") + std::string(candidate);
    fail_at(file, kv.first.Mark(), fmt::format("unknown key '{}'{}; expected one of: {}", key, hint, list));
  }
}

void reject_duplicate_keys(const std::string& file, const YAML::Node& node) {
  if (node.IsSequence()) {
    for (const auto& item : node) reject_duplicate_keys(file, item);
  } else if (node.IsMap()) {
    std::set<std::string> seen;
    for (const auto& kv : node) {
      if (kv.first.IsScalar() && !seen.insert(kv.first.Scalar()).second)
        fail_at(file, kv.first.Mark(),
                fmt::format("'{}' is given twice in this mapping; keep one", kv.first.Scalar()));
      reject_duplicate_keys(file, kv.second);
    }
  }
}

std::string scalar_text(const std::string& file, const YAML::Node& node, std::string_view what) {
  if (!node.IsScalar()) fail_at(file, node.Mark(), fmt::format("{} must be a single value", what));
  return node.Scalar();
}

ParamReader::ParamReader(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
ParamReader::~ParamReader() = default;

ParamReader ParamReader::given(const std::string& shown, const Given& params) {
  YAML::Node node(YAML::NodeType::Map);
  for (const auto& [key, value] : params.values) node[key] = value;
  for (const auto& [key, values] : params.lists) node[key] = values;
  return ParamReader(std::make_shared<const Impl>(Impl{shown, node}));
}
ParamReader::ParamReader(const ParamReader&) = default;

bool ParamReader::has(std::string_view key) const {
  return bool(impl_->node[std::string(key)]);
}
// An absent key is neither (yaml-cpp throws on asking an absent key's kind).
bool ParamReader::is_map(std::string_view key) const {
  return has(key) && impl_->node[std::string(key)].IsMap();
}
bool ParamReader::is_list(std::string_view key) const {
  return has(key) && impl_->node[std::string(key)].IsSequence();
}

std::string ParamReader::string(std::string_view key) const {
  return scalar_text(impl_->file, impl_->node[std::string(key)], fmt::format("'{}'", key));
}

std::int64_t ParamReader::integer(std::string_view key) const {
  const std::string text = string(key);
  std::int64_t value = 0;
  // Accept decimal, 0x hex and 0 octal (modes are written 0600).
  try {
    size_t used = 0;
    value = std::stoll(text, &used, 0);
    if (used != text.size()) throw std::invalid_argument("trailing");
  } catch (const std::exception&) {
    fail(key, fmt::format("'{}' must be an integer, not '{}'", key, text));
  }
  return value;
}

double ParamReader::number(std::string_view key) const {
  const std::string text = string(key);
  try {
    size_t used = 0;
    double value = std::stod(text, &used);
    if (used == text.size()) return value;
  } catch (const std::exception&) {
  }
  fail(key, fmt::format("'{}' must be a number, not '{}'", key, text));
}

bool ParamReader::boolean(std::string_view key) const {
  std::string text = string(key);
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  if (text == "true" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "no" || text == "off") return false;
  fail(key, fmt::format("'{}' must be true or false, not '{}'", key, text));
}

std::vector<std::int64_t> ParamReader::integer_list(std::string_view key) const {
  const YAML::Node list = impl_->node[std::string(key)];
  if (!list.IsSequence()) fail(key, fmt::format("'{}' must be a list", key));
  std::vector<std::int64_t> out;
  for (const auto& item : list) {
    const std::string text = scalar_text(impl_->file, item, fmt::format("an item of '{}'", key));
    try {
      size_t used = 0;
      out.push_back(std::stoll(text, &used, 0));
      if (used != text.size()) throw std::invalid_argument("trailing");
    } catch (const std::exception&) {
      fail_at(impl_->file, item.Mark(), fmt::format("'{}' items must be integers, not '{}'", key, text));
    }
  }
  return out;
}

std::vector<std::string> ParamReader::string_list(std::string_view key) const {
  const YAML::Node list = impl_->node[std::string(key)];
  if (list.IsScalar()) return {list.Scalar()};
  if (!list.IsSequence()) fail(key, fmt::format("'{}' must be a list", key));
  std::vector<std::string> out;
  for (const auto& item : list)
    out.push_back(scalar_text(impl_->file, item, fmt::format("an item of '{}'", key)));
  return out;
}

ParamReader ParamReader::map(std::string_view key) const {
  const YAML::Node node = impl_->node[std::string(key)];
  if (!node.IsMap()) fail(key, fmt::format("'{}' must be a mapping of keys to values", key));
  return ParamReader(std::make_shared<Impl>(Impl{impl_->file, node, {}}));
}

void ParamReader::allow_only(const std::vector<std::string_view>& allowed) const {
  std::vector<std::string_view> all = impl_->shared_keys;
  all.insert(all.end(), allowed.begin(), allowed.end());
  reject_unknown_keys(impl_->file, impl_->node, all);
}

void ParamReader::fail(std::string_view key, const std::string& message) const {
  const YAML::Node node = impl_->node[std::string(key)];
  fail_at(impl_->file, node ? node.Mark() : impl_->node.Mark(), message);
}

void ParamReader::fail_here(const std::string& message) const {
  fail_at(impl_->file, impl_->node.Mark(), message);
}

}  // namespace ipcgrade::config
