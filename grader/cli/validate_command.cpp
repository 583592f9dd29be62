#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "checks/make_checks.hpp"
#include "grader/cli/commands.hpp"
#include "grader/config/assignment.hpp"
#include "grader/util/units.hpp"

namespace ipcgrade::cli {

namespace {

// The checks that judge IPC objects: a run whose scenario has none of them may make only pipes.
bool judges_ipc(const std::string& type) {
  for (const char* t : {"sem-usage", "shm-usage", "mq-usage", "fifo-usage", "message-size", "type-filter",
                        "assigned-key", "no-leftovers", "permissions", "ipc-errors"}) {
    if (type == t) return true;
  }
  return false;
}

// `ready:` conditions that can never hold, so that every process after them would never start:
// `ready: ipc` in a scenario whose checks judge no IPC object (a server that makes only pipes), and a
// `ready: stdout` pattern that asks for a newline (lines are matched without theirs).
std::vector<std::string> ready_warnings(const config::Assignment& a) {
  std::vector<std::string> out;
  for (const auto& s : a.scenarios) {
    bool ipc = false;
    for (const auto& c : a.checks) {
      ipc = ipc || (c.covers(s.name) && judges_ipc(c.type));
    }
    for (size_t i = 0; i + 1 < s.processes.size(); ++i) {
      const auto& p = s.processes[i];
      if (p.ready.kind == config::Ready::Kind::Ipc && !ipc)
        out.push_back(fmt::format(
            "scenario '{}', process '{}': ready: ipc, but no check of the scenario judges an IPC object; if "
            "'{}' makes only pipes, '{}' never starts (ready: {{path: NAME}} waits for a FIFO, ready: stdout "
            "for a line)",
            s.name, p.name, p.name, s.processes[i + 1].name));
      if (p.ready.kind == config::Ready::Kind::Stdout && (p.ready.pattern.find("\\n") != std::string::npos ||
                                                          p.ready.pattern.find('\n') != std::string::npos))
        out.push_back(fmt::format(
            "scenario '{}', process '{}': ready: stdout '{}' asks for a newline, but each line is matched "
            "without its own: it never matches, and '{}' never starts",
            s.name, p.name, p.ready.pattern, s.processes[i + 1].name));
    }
  }
  return out;
}

}  // namespace

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
  // What a student sees before the due date (Gradescope shows a check that covers a hidden scenario
  // only once grades are published).
  for (const auto& c : a.checks) {
    const bool hidden = a.visibility_of(c) == config::Visibility::Hidden;
    std::cout << fmt::format(
        "  check '{}' ({}): {} point(s){}\n", c.name, c.type, c.points,
        hidden ? ", hidden from students until grades are published (it covers a hidden scenario)" : "");
  }
  std::cout << fmt::format("  {} check(s), {} point(s) in all\n", a.checks.size(), points);
  for (const auto& warning : ready_warnings(a)) std::cout << "  warning: " << warning << "\n";
  return kExitPassed;
}

}  // namespace ipcgrade::cli
