// The loader: scenarios, their processes, `ready:`, `stop:` and `signals:` steps.
#include <signal.h>

#include <fmt/format.h>

#include <algorithm>
#include <regex>
#include <set>

#include "grader/config/assignment.hpp"
#include "grader/config/error.hpp"
#include "grader/config/placeholders.hpp"
#include "grader/config/shell_words.hpp"
#include "grader/config/yaml_node.hpp"
#include "grader/util/pattern.hpp"
#include "grader/util/signals.hpp"
#include "grader/util/units.hpp"

#include "grader/config/loader.hpp"

namespace fs = std::filesystem;

namespace ipcgrade::config {

Ready Loader::ready(const YAML::Node& node) {
  Ready r;
  if (node.IsMap()) {  // {path: NAME}: ready once a file or FIFO of that name exists
    reject_unknown_keys(file_, node, {"path"});
    if (!node["path"]) fail_at(file_, node.Mark(), "a 'ready' mapping needs a 'path' (ready: {path: NAME})");
    r.kind = Ready::Kind::Path;
    r.path = scalar_text(file_, node["path"], "'ready: path'");
    if (r.path.empty()) fail_at(file_, node["path"].Mark(), "'ready: path' must not be empty");
    check_placeholders(node["path"], r.path);
    return r;
  }
  const std::string text = scalar_text(file_, node, "'ready'");
  if (text == "ipc") {
    r.kind = Ready::Kind::Ipc;
  } else if (text == "exit") {
    r.kind = Ready::Kind::Exit;
  } else if (text.rfind("stdout ", 0) == 0) {
    r.kind = Ready::Kind::Stdout;
    r.pattern = text.substr(7);
    check_regex(node, r.pattern);
  } else if (auto d = util::parse_duration(text)) {
    r.kind = Ready::Kind::Delay;
    r.delay = *d;
  } else {
    fail_at(file_, node.Mark(),
            fmt::format(
                "ready '{}' is not one of: ipc, exit, stdout REGEX, {{path: NAME}}, or a duration like 200ms",
                text));
  }
  return r;
}

ProcessSpec Loader::process(const YAML::Node& node) {
  if (!node.IsMap()) fail_at(file_, node.Mark(), "a process must be a mapping with 'name' and 'run'");
  reject_unknown_keys(file_, node, {"name", "run", "ready", "count", "stdin", "stdin_file", "stop"});
  ProcessSpec p;
  p.name = required_text(node, "name");
  const YAML::Node run = node["run"];
  if (!run) fail_at(file_, node.Mark(), fmt::format("process '{}' has no 'run' command", p.name));
  if (run.IsSequence()) {
    for (const auto& word : run) p.argv.push_back(scalar_text(file_, word, "an item of 'run'"));
  } else {
    std::string error;
    auto words = split_shell_words(scalar_text(file_, run, "'run'"), &error);
    if (!words) fail_at(file_, run.Mark(), fmt::format("'run': {}", error));
    p.argv = std::move(*words);
  }
  if (p.argv.empty()) fail_at(file_, run.Mark(), "'run' must name a program");
  for (const auto& word : p.argv) check_placeholders(run, word);
  if (node["count"]) p.count = static_cast<int>(integer(node["count"], "count", 1, 1000));
  if (node["ready"]) p.ready = ready(node["ready"]);
  if (node["stop"]) p.stop = stop(node["stop"]);
  if (node["stdin"] && node["stdin_file"]) {
    fail_at(file_, node["stdin_file"].Mark(), "give either 'stdin' or 'stdin_file', not both");
  }
  if (node["stdin"]) {
    p.stdin_text = scalar_text(file_, node["stdin"], "'stdin'");
    check_placeholders(node["stdin"], *p.stdin_text);
  }
  if (node["stdin_file"]) p.stdin_file = existing_file(node["stdin_file"], "stdin_file");
  return p;
}

int Loader::signal(const YAML::Node& node, const char* what) {
  const std::string text = scalar_text(file_, node, what);
  const auto sig = util::parse_signal(text);
  if (!sig || *sig == SIGKILL || *sig == SIGSTOP)
    fail_at(file_, node.Mark(),
            fmt::format("{} '{}' is not a signal a program can handle; write it like SIGINT, SIGTERM or "
                        "SIGUSR1",
                        what, text));
  return *sig;
}

// `stop: {signal: SIGINT, grace: 1s}`: how the grader ends this process.
StopSpec Loader::stop(const YAML::Node& node) {
  if (!node.IsMap()) fail_at(file_, node.Mark(), "'stop' must be a mapping (signal, grace)");
  reject_unknown_keys(file_, node, {"signal", "grace"});
  StopSpec s;
  s.given = true;
  if (node["signal"]) s.signal = signal(node["signal"], "stop signal");
  if (node["grace"]) s.grace = duration(node["grace"], "stop grace", true);
  if (s.grace > kLongestGrace)
    fail_at(file_, node["grace"].Mark(),
            "'grace' must be at most 10s: the grader waits that long at every stop");
  return s;
}

// A `signals:` step: {to: NAME, signal: SIG, after: NAME | DURATION | {ready: NAME} | {exit: NAME}}.
SignalStep Loader::signal_step(const YAML::Node& node, const std::set<std::string>& names) {
  if (!node.IsMap()) fail_at(file_, node.Mark(), "a signals step must be a mapping (to, signal, after)");
  reject_unknown_keys(file_, node, {"to", "signal", "after"});
  SignalStep step;
  step.to = required_text(node, "to");
  if (!names.count(step.to))
    fail_at(file_, node["to"].Mark(), fmt::format("'to: {}' names no process of this scenario", step.to));
  if (node["signal"]) step.signal = signal(node["signal"], "signal");
  const YAML::Node after = node["after"];
  if (!after)
    fail_at(file_, node.Mark(),
            "a signals step needs 'after' (a process name, a duration, or {ready: NAME})");
  auto named = [&](const YAML::Node& n) {
    std::string name = scalar_text(file_, n, "'after'");
    if (!names.count(name))
      fail_at(file_, n.Mark(), fmt::format("'after: {}' names no process of this scenario", name));
    return name;
  };
  if (after.IsMap()) {
    reject_unknown_keys(file_, after, {"ready", "exit"});
    if (after["ready"] && after["exit"])
      fail_at(file_, after.Mark(), "'after' takes either 'ready' or 'exit'");
    if (after["ready"]) {
      step.after = SignalStep::After::Ready;
      step.process = named(after["ready"]);
    } else if (after["exit"]) {
      step.after = SignalStep::After::Exit;
      step.process = named(after["exit"]);
    } else {
      fail_at(file_, after.Mark(), "'after' takes 'ready: NAME' or 'exit: NAME'");
    }
    return step;
  }
  const std::string text = scalar_text(file_, after, "'after'");
  if (names.count(text)) {
    step.after = SignalStep::After::Exit;
    step.process = text;
  } else if (auto d = util::parse_duration(text)) {
    step.after = SignalStep::After::Delay;
    step.delay = *d;
  } else {
    fail_at(file_, after.Mark(),
            fmt::format("'after: {}' is neither a process of this scenario nor a duration like 300ms", text));
  }
  return step;
}

ScenarioSpec Loader::scenario(const YAML::Node& node, const Limits& defaults) {
  if (!node.IsMap()) fail_at(file_, node.Mark(), "a scenario must be a mapping with 'name' and 'processes'");
  reject_unknown_keys(file_, node, {"name", "visibility", "processes", "limits", "runs", "signals"});
  ScenarioSpec s;
  s.name = required_text(node, "name");
  if (node["visibility"]) {
    const std::string v = scalar_text(file_, node["visibility"], "'visibility'");
    if (v == "visible")
      s.visibility = Visibility::Visible;
    else if (v == "hidden")
      s.visibility = Visibility::Hidden;
    else
      fail_at(file_, node["visibility"].Mark(), fmt::format("visibility '{}' must be visible or hidden", v));
  }
  s.limits = node["limits"] ? limits(node["limits"], defaults) : defaults;
  if (node["runs"]) {
    const std::string text = scalar_text(file_, node["runs"], "'runs'");
    char* end = nullptr;
    const long n = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || n < 1 || n > 100)
      fail_at(file_, node["runs"].Mark(),
              fmt::format("'runs' must be a whole number from 1 to 100, not '{}'", text));
    s.runs = static_cast<int>(n);
  }
  const YAML::Node processes = node["processes"];
  if (!processes) fail_at(file_, node.Mark(), fmt::format("scenario '{}' has no 'processes'", s.name));
  if (!processes.IsSequence() || processes.size() == 0) {
    fail_at(file_, processes.Mark(), "'processes' must be a non-empty list");
  }
  std::set<std::string> names;
  for (const auto& p : processes) {
    s.processes.push_back(process(p));
    if (!names.insert(s.processes.back().name).second) {
      fail_at(file_, p["name"].Mark(),
              fmt::format("duplicate process name '{}' in scenario '{}'", s.processes.back().name, s.name));
    }
  }
  if (const YAML::Node steps = node["signals"]) {
    if (!steps.IsSequence()) fail_at(file_, steps.Mark(), "'signals' must be a list of steps");
    for (const auto& step : steps) {
      s.signals.push_back(signal_step(step, names));
      if (s.signals.back().after == SignalStep::After::Delay && s.signals.back().delay >= s.limits.wall)
        fail_at(
            file_, step["after"].Mark(),
            fmt::format("'after: {}' comes after the wall limit ({}): the step could never fire",
                        util::format_duration(s.signals.back().delay), util::format_duration(s.limits.wall)));
    }
  }
  return s;
}

}  // namespace ipcgrade::config
