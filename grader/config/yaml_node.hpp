#pragma once
// Internal to config/: the YAML-facing helpers shared by the loader and ParamReader.
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "grader/config/params.hpp"

namespace ipcgrade::config {

struct ParamReader::Impl {
  std::string file;                                // as the user named it, for messages
  YAML::Node node;                                 // a mapping
  std::vector<std::string_view> shared_keys = {};  // keys handled elsewhere, always allowed
};

[[noreturn]] void fail_at(const std::string& file, const YAML::Mark& mark, const std::string& message);
void reject_unknown_keys(const std::string& file, const YAML::Node& map,
                         const std::vector<std::string_view>& allowed);
// A key given twice in any mapping of the file: YAML readers keep one of the two (which one differs
// between them), so an instructor's second `scenarios:` block, or a second `wall:`, would silently vanish.
void reject_duplicate_keys(const std::string& file, const YAML::Node& node);
std::string scalar_text(const std::string& file, const YAML::Node& node, std::string_view what);

}  // namespace ipcgrade::config
