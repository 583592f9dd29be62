#pragma once
// The assignment file's loader: one class that reads the YAML with `file:line:column` for every
// mistake. Its members are in load.cpp (the file, its sections, checks) and load_scenarios.cpp.
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "grader/config/assignment.hpp"
#include "grader/config/error.hpp"

namespace ipcgrade::config {

// Parses one assignment file; holds the file name for messages and the folder for relative paths.
class Loader {
 public:
  Loader(std::string shown_name, fs::path dir) : file_(std::move(shown_name)), dir_(std::move(dir)) {}

  Assignment load(const YAML::Node& root);

 private:
  // Whether the assignment speaks of IPC keys at all: a `keys:` section, a {key...} placeholder in a
  // command, its input or the environment, or an assigned-key check. A pipes-only assignment does not,
  // and its summary says nothing of keys.
  static bool uses_keys(const Assignment& a, const YAML::Node& root);

  // A number of points: >= 0, fractions allowed.
  double points(const YAML::Node& node, const char* key);

  std::string required_text(const YAML::Node& map, const char* key);

  Millis duration(const YAML::Node& node, const char* what, bool zero_allowed = false);

  std::uint64_t size(const YAML::Node& node, const char* what);

  long integer(const YAML::Node& node, const char* what, long min, long max);

  fs::path existing_file(const YAML::Node& node, const char* what);

  BuildSpec build(const YAML::Node& node);

  // `files:` — paths inside the assignment folder, each an existing regular file or folder.
  // `files:` — paths, or {path: P, private: true|false}. `private_choice_` keeps the explicit choices,
  // which private_files() applies.
  std::vector<std::string> files(const YAML::Node& node);

  // The instructor files only the instructor's programs may read: every one unless marked `private: false`
  // (input the student's programs read). Hidden answers and judges stay out of the run's reach unless the
  // assignment says otherwise.
  std::vector<std::string> private_files(const Assignment& a) const;

  // `env:` — a mapping of variable names to values, added to the clean environment.
  std::vector<std::pair<std::string, std::string>> env(const YAML::Node& node);

  KeysSpec keys(const YAML::Node& node);

  Limits limits(const YAML::Node& node, Limits base);

  Ready ready(const YAML::Node& node);

  void check_placeholders(const YAML::Node& node, const std::string& text);

  void check_regex(const YAML::Node& node, const std::string& pattern);

  ProcessSpec process(const YAML::Node& node);

  int signal(const YAML::Node& node, const char* what);

  static constexpr Millis kLongestGrace{10000};

  // `stop: {signal: SIGINT, grace: 1s}`: how the grader ends this process.
  StopSpec stop(const YAML::Node& node);

  // A `signals:` step: {to: NAME, signal: SIG, after: NAME | DURATION | {ready: NAME} | {exit: NAME}}.
  SignalStep signal_step(const YAML::Node& node, const std::set<std::string>& names);

  ScenarioSpec scenario(const YAML::Node& node, const Limits& defaults);

  CheckSpec check(const YAML::Node& node, const Assignment& a);

  std::string file_;
  fs::path dir_;
  int key_count_ = 1;
  std::map<std::string, bool> private_choice_;  // `files:` entries with `private:` given
};

}  // namespace ipcgrade::config
