// The assignment file's loader: the file, its sections and its checks (its scenarios are
// load_scenarios.cpp's).
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

std::string to_string(RunsRule rule) {
  return rule == RunsRule::All ? "all" : rule == RunsRule::Majority ? "majority" : "any";
}

std::string to_string(Visibility visibility) {
  return visibility == Visibility::Hidden ? "hidden" : "visible";
}

const ScenarioSpec* Assignment::scenario(const std::string& name) const {
  for (const auto& s : scenarios) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

Visibility Assignment::visibility_of(const CheckSpec& check) const {
  for (const auto& s : scenarios) {
    if (check.covers(s.name) && s.visibility == Visibility::Hidden) return Visibility::Hidden;
  }
  return Visibility::Visible;
}

bool Assignment::shown_in_check(const CheckSpec& check) const {
  for (const auto& s : scenarios) {
    if (s.visibility == Visibility::Hidden || !check.covers(s.name)) continue;
    if (!check.process) return true;
    for (const auto& p : s.processes) {
      if (p.name == *check.process) return true;
    }
  }
  return false;
}

Assignment Loader::load(const YAML::Node& root) {
  if (!root.IsMap())
    fail_at(file_, root.Mark(),
            "an assignment file must be a mapping (assignment:, scenarios:, checks:, ...)");
  reject_unknown_keys(file_, root,
                      {"assignment", "title", "build", "keys", "limits", "scenarios", "checks", "files",
                       "env", "hidden_points"});
  Assignment a;
  a.id = required_text(root, "assignment");
  static const std::regex id_re("^[a-z0-9-]+$");
  if (!std::regex_match(a.id, id_re)) {
    fail_at(file_, root["assignment"].Mark(),
            fmt::format("assignment id '{}' may hold only lowercase letters, digits and '-'", a.id));
  }
  if (root["title"]) a.title = scalar_text(file_, root["title"], "title");
  if (root["build"]) a.build = build(root["build"]);
  if (root["keys"]) a.keys = keys(root["keys"]);
  key_count_ = a.keys.count;
  if (root["limits"]) a.limits = limits(root["limits"], a.limits);
  if (root["files"]) a.files = files(root["files"]);
  if (root["env"]) a.env = env(root["env"]);
  if (root["hidden_points"]) a.hidden_points = points(root["hidden_points"], "hidden_points");
  const YAML::Node scenarios = root["scenarios"];
  if (!scenarios)
    fail_at(file_, root.Mark(), "missing 'scenarios': an assignment needs at least one scenario");
  if (!scenarios.IsSequence() || scenarios.size() == 0) {
    fail_at(file_, scenarios.Mark(), "'scenarios' must be a non-empty list");
  }
  std::set<std::string> scenario_names;
  for (const auto& s : scenarios) {
    a.scenarios.push_back(scenario(s, a.limits));
    if (!scenario_names.insert(a.scenarios.back().name).second) {
      fail_at(file_, s["name"].Mark(), fmt::format("duplicate scenario name '{}'", a.scenarios.back().name));
    }
  }
  const YAML::Node checks = root["checks"];
  if (checks && !checks.IsSequence()) fail_at(file_, checks.Mark(), "'checks' must be a list");
  std::set<std::string> check_names;
  if (checks) {
    for (const auto& c : checks) {
      a.checks.push_back(check(c, a));
      if (!check_names.insert(a.checks.back().name).second) {
        fail_at(file_, c["name"].Mark(), fmt::format("duplicate check name '{}'", a.checks.back().name));
      }
    }
  }
  a.uses_keys = uses_keys(a, root);
  a.private_files = private_files(a);
  return a;
}

// Whether the assignment speaks of IPC keys at all: a `keys:` section, a {key...} placeholder in a
// command, its input or the environment, or an assigned-key check. A pipes-only assignment does not,
// and its summary says nothing of keys.
bool Loader::uses_keys(const Assignment& a, const YAML::Node& root) {
  if (root["keys"]) return true;
  auto has = [](const std::string& text) { return text.find("{key") != std::string::npos; };
  for (const auto& [name, value] : a.env) {
    if (has(value)) return true;
  }
  for (const auto& s : a.scenarios) {
    for (const auto& p : s.processes) {
      if (p.stdin_file || (p.stdin_text && has(*p.stdin_text))) return true;
      for (const auto& word : p.argv) {
        if (has(word)) return true;
      }
    }
  }
  for (const auto& c : a.checks) {
    if (c.type == "assigned-key") return true;
  }
  return false;
}

// A number of points: >= 0, fractions allowed.
double Loader::points(const YAML::Node& node, const char* key) {
  const std::string text = scalar_text(file_, node, fmt::format("'{}'", key));
  try {
    size_t used = 0;
    const double n = std::stod(text, &used);
    if (used == text.size() && n >= 0) return n;
  } catch (const std::exception&) {
  }
  fail_at(file_, node.Mark(), fmt::format("'{}' must be a number >= 0, not '{}'", key, text));
}

std::string Loader::required_text(const YAML::Node& map, const char* key) {
  const YAML::Node node = map[key];
  if (!node) fail_at(file_, map.Mark(), fmt::format("missing '{}'", key));
  std::string text = scalar_text(file_, node, fmt::format("'{}'", key));
  if (text.empty()) fail_at(file_, node.Mark(), fmt::format("'{}' must not be empty", key));
  return text;
}

Millis Loader::duration(const YAML::Node& node, const char* what, bool zero_allowed) {
  const std::string text = scalar_text(file_, node, what);
  auto d = util::parse_duration(text);
  if (!d || d->count() < 0 || (d->count() == 0 && !zero_allowed)) {
    fail_at(file_, node.Mark(),
            fmt::format("{} '{}' is not a duration; write it like 250ms, 10s or 2m", what, text));
  }
  return *d;
}

std::uint64_t Loader::size(const YAML::Node& node, const char* what) {
  const std::string text = scalar_text(file_, node, what);
  auto s = util::parse_size(text);
  if (!s || *s == 0) {
    fail_at(file_, node.Mark(),
            fmt::format("{} '{}' is not a size; write it like 64KiB or 256MiB", what, text));
  }
  return *s;
}

long Loader::integer(const YAML::Node& node, const char* what, long min, long max) {
  const std::string text = scalar_text(file_, node, what);
  long value = 0;
  try {
    size_t used = 0;
    value = std::stol(text, &used, 0);
    if (used != text.size()) throw std::invalid_argument("trailing");
  } catch (const std::exception&) {
    fail_at(file_, node.Mark(), fmt::format("{} must be an integer, not '{}'", what, text));
  }
  if (value < min || value > max) {
    fail_at(file_, node.Mark(), fmt::format("{} must be between {} and {}, not {}", what, min, max, value));
  }
  return value;
}

fs::path Loader::existing_file(const YAML::Node& node, const char* what) {
  const std::string text = scalar_text(file_, node, what);
  fs::path p = fs::path(text).is_absolute() ? fs::path(text) : dir_ / text;
  std::error_code ec;
  if (!fs::is_regular_file(p, ec)) {
    fail_at(file_, node.Mark(),
            fmt::format("{} '{}' does not exist (looked for {})", what, text, p.string()));
  }
  return fs::weakly_canonical(p);
}

BuildSpec Loader::build(const YAML::Node& node) {
  if (!node.IsMap()) fail_at(file_, node.Mark(), "'build' must be a mapping with 'command' and 'timeout'");
  reject_unknown_keys(file_, node, {"command", "timeout", "limits"});
  BuildSpec b;
  b.command = required_text(node, "command");
  if (node["timeout"]) b.timeout = duration(node["timeout"], "build timeout");
  if (const YAML::Node lim = node["limits"]) {
    if (!lim.IsMap())
      fail_at(file_, lim.Mark(), "build 'limits' must be a mapping (memory, processes, disk)");
    reject_unknown_keys(file_, lim, {"memory", "processes", "disk"});
    if (lim["memory"]) b.limits.memory = size(lim["memory"], "build memory limit");
    if (lim["processes"])
      b.limits.processes = static_cast<int>(integer(lim["processes"], "build process limit", 1, 100000));
    if (lim["disk"]) b.limits.disk = size(lim["disk"], "build disk limit");
  }
  return b;
}

// `files:` — paths inside the assignment folder, each an existing regular file or folder.
// `files:` — paths, or {path: P, private: true|false}. `private_choice_` keeps the explicit choices,
// which private_files() applies.
std::vector<std::string> Loader::files(const YAML::Node& node) {
  if (!node.IsSequence())
    fail_at(file_, node.Mark(), "'files' must be a list of paths in the assignment folder");
  std::vector<std::string> out;
  for (const auto& entry : node) {
    std::optional<bool> is_private;
    if (entry.IsMap()) {
      reject_unknown_keys(file_, entry, {"path", "private"});
      if (!entry["path"]) fail_at(file_, entry.Mark(), "an item of 'files' needs a 'path'");
      if (entry["private"]) {
        const std::string flag = scalar_text(file_, entry["private"], "'private'");
        if (flag != "true" && flag != "false")
          fail_at(file_, entry["private"].Mark(),
                  fmt::format("'private' must be true or false, not '{}'", flag));
        is_private = flag == "true";
      }
    }
    // (Built once: assigning to a yaml-cpp node would overwrite the node it was copied from.)
    const YAML::Node item = entry.IsMap() ? entry["path"] : entry;
    const std::string text = scalar_text(file_, item, "an item of 'files'");
    const fs::path rel = fs::path(text).lexically_normal();
    if (text.empty() || rel.is_absolute() || *rel.begin() == "..")
      fail_at(file_, item.Mark(),
              fmt::format("'{}' must be a path inside the assignment folder (relative, no '..')", text));
    std::error_code ec;
    const auto status = fs::symlink_status(dir_ / rel, ec);
    if (!fs::is_regular_file(status) && !fs::is_directory(status))
      fail_at(file_, item.Mark(),
              fmt::format("file '{}' does not exist (looked for {})", text, (dir_ / rel).string()));
    out.push_back(rel.string());
    if (is_private) private_choice_[rel.string()] = *is_private;
  }
  return out;
}

// The instructor files only the instructor's programs may read: every one unless marked `private: false`
// (input the student's programs read). Hidden answers and judges stay out of the run's reach unless the
// assignment says otherwise.
std::vector<std::string> Loader::private_files(const Assignment& a) const {
  std::vector<std::string> out;
  for (const auto& file : a.files) {
    const auto chosen = private_choice_.find(file);
    if (chosen == private_choice_.end() || chosen->second) out.push_back(file);
  }
  return out;
}

// `env:` — a mapping of variable names to values, added to the clean environment.
std::vector<std::pair<std::string, std::string>> Loader::env(const YAML::Node& node) {
  if (!node.IsMap()) fail_at(file_, node.Mark(), "'env' must be a mapping of NAME: value");
  static const std::regex name_re("^[A-Za-z_][A-Za-z0-9_]*$");
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& item : node) {
    const std::string name = scalar_text(file_, item.first, "an environment variable name");
    if (!std::regex_match(name, name_re))
      fail_at(file_, item.first.Mark(), fmt::format("'{}' is not an environment variable name", name));
    out.emplace_back(name, scalar_text(file_, item.second, fmt::format("the value of {}", name)));
  }
  return out;
}

KeysSpec Loader::keys(const YAML::Node& node) {
  if (!node.IsMap()) fail_at(file_, node.Mark(), "'keys' must be a mapping (count, base, roster)");
  reject_unknown_keys(file_, node, {"count", "base", "roster"});
  KeysSpec k;
  if (node["count"]) k.count = static_cast<int>(integer(node["count"], "keys count", 1, 16));
  if (node["base"]) k.base = static_cast<key_t>(integer(node["base"], "keys base", 1, 0x7fffff00L));
  if (node["roster"]) k.roster = existing_file(node["roster"], "roster");
  return k;
}

std::optional<TracerChoice> tracer_choice(const std::string& text) {
  if (text == "auto") return TracerChoice::Auto;
  if (text == "bpf") return TracerChoice::Bpf;
  if (text == "ptrace") return TracerChoice::Ptrace;
  return std::nullopt;
}

Limits Loader::limits(const YAML::Node& node, Limits base) {
  if (!node.IsMap())
    fail_at(file_, node.Mark(),
            "'limits' must be a mapping (wall, cpu, memory, processes, output, file_size, open_files, "
            "disk, submission, trace_events, trace_bytes, orphan_grace, tracer)");
  reject_unknown_keys(file_, node,
                      {"wall", "cpu", "memory", "processes", "output", "file_size", "open_files", "disk",
                       "submission", "trace_events", "trace_bytes", "orphan_grace", "tracer"});
  if (node["tracer"]) {
    const auto choice = node["tracer"].IsScalar() ? tracer_choice(node["tracer"].Scalar()) : std::nullopt;
    if (!choice) fail_at(file_, node["tracer"].Mark(), "'tracer' must be auto, bpf or ptrace");
    base.tracer = *choice;
  }
  if (node["wall"]) base.wall = duration(node["wall"], "wall limit");
  if (node["cpu"]) base.cpu = duration(node["cpu"], "cpu limit");
  if (node["memory"]) base.memory = size(node["memory"], "memory limit");
  if (node["processes"])
    base.processes = static_cast<int>(integer(node["processes"], "process limit", 1, 100000));
  if (node["output"]) base.output = size(node["output"], "output limit");
  if (node["file_size"]) base.file_size = size(node["file_size"], "file size limit");
  if (node["open_files"])
    base.open_files = static_cast<int>(integer(node["open_files"], "open files limit", 16, 1048576));
  if (node["disk"]) base.disk = size(node["disk"], "disk limit");
  if (node["submission"]) base.submission = size(node["submission"], "submission limit");
  if (node["trace_events"])
    base.trace_events = static_cast<int>(integer(node["trace_events"], "trace_events", 100, 10000000));
  if (node["orphan_grace"]) {
    base.orphan_grace = duration(node["orphan_grace"], "orphan_grace", true);
    if (base.orphan_grace > kLongestGrace)
      fail_at(file_, node["orphan_grace"].Mark(), "'orphan_grace' must be at most 10s");
  }
  if (node["trace_bytes"]) {
    base.trace_bytes = size(node["trace_bytes"], "trace_bytes");
    if (base.trace_bytes < (64ULL << 10))
      fail_at(file_, node["trace_bytes"].Mark(), "'trace_bytes' must be at least 64KiB");
  }
  return base;
}

void Loader::check_placeholders(const YAML::Node& node, const std::string& text) {
  if (auto bad = unknown_placeholder(text, key_count_)) {
    fail_at(
        file_, node.Mark(),
        fmt::format("unknown placeholder {}; known: {{key}}, {{key0}}..{{key{}}}, {{key_hex}}, {{index}}, "
                    "{{student}}, {{assignment}}, {{submission}}",
                    *bad, key_count_ - 1));
  }
}

void Loader::check_regex(const YAML::Node& node, const std::string& pattern) {
  std::string error;
  if (!util::Pattern::compile(pattern, &error))
    fail_at(file_, node.Mark(), fmt::format("'{}' is not a valid regular expression: {}", pattern, error));
}

CheckSpec Loader::check(const YAML::Node& node, const Assignment& a) {
  if (!node.IsMap())
    fail_at(file_, node.Mark(), "a check must be a mapping with 'name', 'type' and 'points'");
  CheckSpec c;
  c.name = required_text(node, "name");
  c.type = required_text(node, "type");
  if (!node["points"]) fail_at(file_, node.Mark(), fmt::format("check '{}' has no 'points'", c.name));
  c.points = points(node["points"], "points");
  if (node["scenarios"]) {
    const YAML::Node list = node["scenarios"];
    if (!list.IsSequence())
      fail_at(file_, list.Mark(), "'scenarios' of a check must be a list of scenario names");
    for (const auto& item : list) {
      std::string name = scalar_text(file_, item, "a scenario name");
      if (!a.scenario(name)) fail_at(file_, item.Mark(), fmt::format("no scenario is named '{}'", name));
      c.scenarios.push_back(name);
    }
  }
  if (node["process"]) {
    const std::string name = scalar_text(file_, node["process"], "'process'");
    bool found = false;
    for (const auto& s : a.scenarios) {
      if (!c.scenarios.empty() &&
          std::find(c.scenarios.begin(), c.scenarios.end(), s.name) == c.scenarios.end())
        continue;
      for (const auto& p : s.processes) found = found || p.name == name;
    }
    if (!found)
      fail_at(file_, node["process"].Mark(),
              fmt::format("no process is named '{}' in the scenarios this check covers", name));
    c.process = name;
  }
  if (node["runs"]) {
    const std::string rule = scalar_text(file_, node["runs"], "'runs'");
    if (rule == "all") {
      c.runs = RunsRule::All;
    } else if (rule == "majority") {
      c.runs = RunsRule::Majority;
    } else if (rule == "any") {
      c.runs = RunsRule::Any;
    } else {
      fail_at(file_, node["runs"].Mark(),
              fmt::format("'runs' of a check must be all, majority or any, not '{}'", rule));
    }
  }
  if (node["optional"]) {
    const std::string flag = scalar_text(file_, node["optional"], "'optional'");
    if (flag != "true" && flag != "false")
      fail_at(file_, node["optional"].Mark(),
              fmt::format("'optional' must be true or false, not '{}'", flag));
    c.optional = flag == "true";
  }
  // The check type reads its own parameters from the same mapping when the checks are made (the type
  // and its parameters are checked there); the keys every check shares are allowed implicitly.
  c.params = ParamReader(std::make_shared<ParamReader::Impl>(ParamReader::Impl{
      file_, node, {"name", "type", "points", "scenarios", "process", "runs", "optional"}}));
  return c;
}

Assignment load_assignment(const fs::path& path) {
  std::error_code ec;
  fs::path file = path;
  if (fs::is_directory(path, ec)) file = path / "assignment.yaml";
  const std::string shown = file.string();
  if (!fs::exists(file, ec)) throw ConfigError(fmt::format("{}: no such assignment file", shown));
  YAML::Node root;
  try {
    root = YAML::LoadFile(file.string());
  } catch (const YAML::ParserException& e) {
    fail_at(shown, e.mark, e.msg);
  } catch (const YAML::BadFile&) {
    throw ConfigError(fmt::format("{}: cannot read the assignment file", shown));
  }
  reject_duplicate_keys(shown, root);
  fs::path absolute = fs::weakly_canonical(fs::absolute(file));
  Assignment a = Loader(shown, absolute.parent_path()).load(root);
  a.file = absolute;
  a.dir = absolute.parent_path();
  return a;
}

}  // namespace ipcgrade::config
