#include "checks/make_checks.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "grader/config/error.hpp"

namespace ipcgrade::checks {

namespace {

const CheckType& type_of(const config::CheckSpec& spec) {
  const CheckType* type = find_check_type(spec.type);
  if (type) return *type;
  std::string known;
  for (auto name : check_type_names()) known += (known.empty() ? "" : ", ") + std::string(name);
  const std::string message = fmt::format("unknown check type '{}'; known types: {}", spec.type, known);
  if (spec.params) spec.params->fail("type", message);
  throw config::ConfigError(message);
}

}  // namespace

std::shared_ptr<const Check> make_check(const config::CheckSpec& spec) {
  const CheckType& type = type_of(spec);
  if (!spec.params) throw config::ConfigError(fmt::format("check '{}' has no parameters", spec.name));
  if (spec.optional && type.needs.empty())
    spec.params->fail("optional",
                      fmt::format("'optional' is for checks that can find nothing to judge; a {} check "
                                  "judges what every run has",
                                  type.name));
  return type.make(*spec.params);
}

std::vector<std::shared_ptr<const Check>> make_checks(const config::Assignment& assignment) {
  std::vector<std::shared_ptr<const Check>> out;
  for (const auto& spec : assignment.checks) out.push_back(make_check(spec));
  return out;
}

config::Assignment load_assignment(const std::filesystem::path& path) {
  config::Assignment assignment = config::load_assignment(path);
  make_checks(assignment);
  return assignment;
}

bool judges_call(const config::Assignment& assignment, std::string_view call) {
  return std::any_of(assignment.checks.begin(), assignment.checks.end(), [&](const config::CheckSpec& spec) {
    const CheckType* type = find_check_type(spec.type);
    if (!type) return false;
    return std::find(type->calls.begin(), type->calls.end(), call) != type->calls.end();
  });
}

}  // namespace ipcgrade::checks
