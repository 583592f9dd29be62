#pragma once
// Hand-made run results for the tests of checks: an assignment with one scenario ("relay": a server and
// two clients), processes, calls spelled as a trace file spells them, and the scoring of one check.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "checks/make_checks.hpp"
#include "grader/config/assignment.hpp"
#include "grader/run/trace_file.hpp"
#include "grader/score/score.hpp"
#include "grader/trace/event_json.hpp"

namespace ipcgrade::testing {

namespace fs = std::filesystem;

// An assignment with one scenario ("relay": a server and two clients) and the given checks.
inline config::Assignment assignment_with(const std::string& checks) {
  const fs::path dir = fs::temp_directory_path() / ("ipcgrade-checks-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  // Removed however the load ends: a test of a mistake expects it to throw.
  struct Remove {
    fs::path path;
    ~Remove() {
      std::error_code ec;
      fs::remove_all(path, ec);
    }
  } remove{dir};
  std::ofstream(dir / "assignment.yaml") << "assignment: relay\nscenarios:\n  - name: relay\n    processes:\n"
                                            "      - {name: server, run: ./server}\n"
                                            "      - {name: client, run: ./client, count: 2}\n"
                                            "  - name: secret\n    visibility: hidden\n    processes:\n"
                                            "      - {name: server, run: ./server}\n"
                                         << "checks:\n"
                                         << checks;
  return checks::load_assignment(dir);
}

inline run::ProcessResult process(const std::string& name, int index, long pid, std::optional<int> exit,
                                  const std::string& out) {
  run::ProcessResult p;
  p.name = name;
  p.index = index;
  p.pid = pid;
  p.started = true;
  p.exit_code = exit;
  p.stdout_text = out;
  return p;
}

inline run::ScenarioResult relay_run() {
  run::ScenarioResult s;
  s.name = "relay";
  s.processes = {process("server", 0, 1000, 0, "served 2\n"), process("client", 0, 1001, 0, "WORD0\n"),
                 process("client", 1, 1002, 0, "WORD1\n")};
  return s;
}

// A call as the tracer records it, its arguments spelled as a trace file spells them.
inline trace::Event call(long pid, const std::string& process, const std::string& name,
                         std::map<std::string, std::string> args, std::optional<long> result = std::nullopt,
                         int error = 0) {
  nlohmann::json j = {{"kind", "call"}, {"pid", pid}, {"process", process}, {"call", name}, {"args", args}};
  trace::Event e = j.get<trace::Event>();
  e.result = result;
  e.error = error;
  return e;
}

// A process that appeared through fork, and one that ended (with a code, or killed by a signal).
inline trace::Event spawned(long pid, long parent, const std::string& process) {
  trace::Event e;
  e.kind = trace::EventKind::Spawn;
  e.pid = pid;
  e.parent = parent;
  e.process = process;
  return e;
}
inline trace::Event ended(long pid, const std::string& process, const std::string& code,
                          const std::string& signal = "") {
  trace::Event e;
  e.kind = trace::EventKind::Exit;
  e.pid = pid;
  e.process = process;
  if (!code.empty()) e.values["code"] = std::stoi(code);
  if (!signal.empty()) e.values["signal"] = std::stoi(signal);
  return e;
}

inline run::ScenarioResult with_trace(std::vector<trace::Event> events) {
  auto s = relay_run();
  for (size_t i = 0; i < events.size(); ++i) events[i].seq = i + 1;
  s.trace.events = std::move(events);
  return s;
}

inline report::CheckResult only(const config::Assignment& a, const std::vector<run::ScenarioResult>& runs) {
  build::BuildResult ok;
  ok.status = build::BuildStatus::Ok;
  auto results = score::score_checks(a, runs, ok, {0x5000});
  EXPECT_EQ(results.size(), 1u);
  return results.at(0);
}

}  // namespace ipcgrade::testing
