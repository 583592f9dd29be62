#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "checks/make_checks.hpp"
#include "grader/cli/commands.hpp"
#include "grader/config/assignment.hpp"
#include "grader/report/render.hpp"
#include "grader/score/parts.hpp"
#include "grader/trace/ipc_kind.hpp"
#include "grader/util/text.hpp"
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

// Checks that judge the same fact: both charge an object left behind (no-leftovers, a usage check's
// `remove`) in a scenario both cover. Only the first in the file charges it (one mistake costs once);
// a later one that judges nothing else can never cost a point.
std::vector<std::string> overlaps(const config::Assignment& a) {
  const auto made = checks::make_checks(a);
  std::vector<std::string> out;
  for (size_t j = 0; j < a.checks.size(); ++j) {
    for (size_t i = 0; i < j; ++i) {
      const config::CheckSpec &first = a.checks[i], &later = a.checks[j];
      if (first.process && later.process && *first.process != *later.process) continue;
      const bool shared_scenario = std::any_of(a.scenarios.begin(), a.scenarios.end(), [&](const auto& s) {
        return first.covers(s.name) && later.covers(s.name);
      });
      if (!shared_scenario) continue;
      std::vector<std::string> kinds;
      const auto charged_first = made[i]->removals();
      for (const auto kind : made[j]->removals()) {
        if (std::find(charged_first.begin(), charged_first.end(), kind) != charged_first.end())
          kinds.push_back(trace::ipc_kind_noun(kind, true));
      }
      if (kinds.empty()) continue;
      const std::string what = util::listing(kinds);
      std::string line = fmt::format(
          "'{}' and '{}' both judge that {} are removed: '{}' (first in the file) charges one left behind, "
          "and "
          "'{}' says so without charging it again",
          first.name, later.name, what, first.name, later.name);
      if (made[j]->only_removals() && kinds.size() == made[j]->removals().size())
        line += fmt::format(
            "; removal is all '{}' judges there, so it can never cost a point: drop it, or give its points "
            "to "
            "'{}'",
            later.name, first.name);
      out.push_back(line);
      break;  // the first check that charges it is the one to name
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
  // What a student sees before the due date: Gradescope shows a check that covers only hidden scenarios
  // once grades are published, and a check over both in two parts (score/parts.hpp).
  const score::Split split = score::split_checks(a);
  for (size_t i = 0; i < a.checks.size(); ++i) {
    const auto& c = a.checks[i];
    std::string seen;
    if (split.parts[i].size() == 2) {
      seen = fmt::format(
          ": {} on the visible scenarios, shown to students before grades are published, and {} on the "
          "hidden "
          "ones, shown once they are",
          report::points(split.judged.checks[split.parts[i][0]].points),
          report::points(split.judged.checks[split.parts[i][1]].points));
    } else if (a.visibility_of(c) == config::Visibility::Hidden) {
      seen = ", hidden from students until grades are published (it covers only hidden scenarios)";
    }
    std::cout << fmt::format("  check '{}' ({}): {} point(s){}\n", c.name, c.type, c.points, seen);
  }
  std::cout << fmt::format("  {} check(s), {} point(s) in all\n", a.checks.size(), points);
  for (const auto& warning : ready_warnings(a)) std::cout << "  warning: " << warning << "\n";
  for (const auto& overlap : overlaps(a)) std::cout << "  overlap: " << overlap << "\n";
  return kExitPassed;
}

}  // namespace ipcgrade::cli
