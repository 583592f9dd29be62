#pragma once
// Reading a JSON report (`grade --json`) in the tests of samples: a check by name, the checks that failed.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <set>
#include <string>

namespace ipcgrade::testing {

// The check named `name`; a test failure (and an empty object) when there is none.
inline const nlohmann::json& check_named(const nlohmann::json& report, const std::string& name) {
  for (const auto& c : report["checks"]) {
    if (c["name"] == name) return c;
  }
  static const nlohmann::json none;
  ADD_FAILURE() << "no check named " << name;
  return none;
}

// The names of the checks that failed.
inline std::set<std::string> failed_checks(const nlohmann::json& report) {
  std::set<std::string> out;
  for (const auto& c : report["checks"]) {
    if (c["status"] == "failed") out.insert(c["name"].get<std::string>());
  }
  return out;
}

}  // namespace ipcgrade::testing
