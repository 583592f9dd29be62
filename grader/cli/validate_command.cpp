#include <fmt/format.h>

#include <iostream>

#include "checks/make_checks.hpp"
#include "grader/cli/commands.hpp"
#include "grader/config/assignment.hpp"
#include "grader/util/units.hpp"

namespace ipcgrade::cli {

int run_validate(const std::string& path) {
  const config::Assignment a = checks::load_assignment(path);
  double points = 0;
  for (const auto& c : a.checks) points += c.points;
  std::cout << fmt::format("{}: ok — assignment '{}'{}\n", a.file.string(), a.id,
                           a.title.empty() ? "" : " (" + a.title + ")");
  std::cout << fmt::format("  build: {}\n", a.build ? a.build->command : "(nothing to build)");
  for (const auto& s : a.scenarios) {
    size_t processes = 0;
    for (const auto& p : s.processes) processes += static_cast<size_t>(p.count);
    std::cout << fmt::format("  scenario '{}' ({}): {} process(es), wall limit {}\n", s.name,
                             config::to_string(s.visibility), processes,
                             util::format_duration(s.limits.wall));
  }
  for (const auto& c : a.checks) {
    std::cout << fmt::format("  check '{}' ({}): {} point(s)\n", c.name, c.type, c.points);
  }
  std::cout << fmt::format("  {} check(s), {} point(s) in all\n", a.checks.size(), points);
  return kExitPassed;
}

}  // namespace ipcgrade::cli
