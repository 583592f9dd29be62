// shard.yaml: what one shard of a class graded (see shard.hpp).
#include "grader/batch/shard.hpp"

#include <yaml-cpp/yaml.h>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "grader/config/error.hpp"
#include "grader/util/atomic_file.hpp"
#include "grader/util/fingerprint.hpp"

namespace fs = std::filesystem;

namespace ipcgrade::batch {

namespace {

// "2000017501 (the run's own)" -> "N (the run's own)": the uid is the run's, not the machine's.
std::string without_uid(const std::string& value) {
  size_t digits = 0;
  while (digits < value.size() && std::isdigit(static_cast<unsigned char>(value[digits]))) ++digits;
  return digits > 0 ? "N" + value.substr(digits) : value;
}

// The modes and enforced lines of the shard's reports.
void read_reports(const fs::path& out, ShardFile& shard) {
  for (const auto& student : shard.students) {
    YAML::Node report;
    try {
      report = YAML::LoadFile((out / student / "report.yaml").string());
    } catch (const std::exception&) {
      continue;  // no report: the batch says so, and merge names the student
    }
    if (report["internal_fault"] || !report["mode"]) continue;
    const std::string mode = report["mode"].as<std::string>();
    if (std::find(shard.modes.begin(), shard.modes.end(), mode) == shard.modes.end())
      shard.modes.push_back(mode);
    if (!shard.enforced.empty()) continue;
    for (const auto& scenario : report["scenarios"]) {
      auto& lines = shard.enforced[scenario["name"].as<std::string>()];
      for (const auto& line : scenario["enforced"]) {
        const std::string key = line.first.as<std::string>();
        const std::string value = line.second.as<std::string>();
        lines[key] = key == "uid" ? without_uid(value) : value;
      }
    }
  }
  std::sort(shard.modes.begin(), shard.modes.end());
}

}  // namespace

int shard_of(const std::string& student, int shards) {
  return static_cast<int>(util::Fingerprint().add(student).value() % static_cast<std::uint64_t>(shards));
}

void write_shard_file(const fs::path& out, const config::Assignment& assignment, ShardFile shard) {
  shard.assignment = assignment.id;
  shard.title = assignment.title;
  shard.fingerprint = util::Fingerprint().add(util::read_file(assignment.file)).value();
  for (const auto& c : assignment.checks) {
    shard.checks.push_back(c.name);
    shard.points.push_back(c.points);
  }
  save_shard_file(out, std::move(shard));
}

void save_shard_file(const fs::path& out, ShardFile shard) {
  shard.modes.clear();
  shard.enforced.clear();
  read_reports(out, shard);
  YAML::Emitter y;
  y << YAML::BeginMap;
  y << YAML::Key << "version" << YAML::Value << shard.version;
  y << YAML::Key << "shard" << YAML::Value << shard.shard << YAML::Key << "shards" << YAML::Value
    << shard.shards;
  y << YAML::Key << "assignment" << YAML::Value << YAML::BeginMap;
  y << YAML::Key << "id" << YAML::Value << shard.assignment << YAML::Key << "title" << YAML::Value
    << shard.title;
  y << YAML::Key << "fingerprint" << YAML::Value << fmt::format("{:016x}", shard.fingerprint);
  y << YAML::Key << "checks" << YAML::Value << YAML::BeginSeq;
  for (size_t i = 0; i < shard.checks.size(); ++i)
    y << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value << shard.checks[i] << YAML::Key
      << "points" << YAML::Value << shard.points[i] << YAML::EndMap;
  y << YAML::EndSeq << YAML::EndMap;
  y << YAML::Key << "modes" << YAML::Value << YAML::Flow << shard.modes;
  y << YAML::Key << "students" << YAML::Value << shard.students;
  y << YAML::Key << "class" << YAML::Value << shard.class_list;
  y << YAML::Key << "enforced" << YAML::Value << YAML::BeginMap;
  for (const auto& [scenario, lines] : shard.enforced) {
    y << YAML::Key << scenario << YAML::Value << YAML::BeginMap;
    for (const auto& [key, value] : lines)
      y << YAML::Key << key << YAML::Value << YAML::DoubleQuoted << value;
    y << YAML::EndMap;
  }
  y << YAML::EndMap << YAML::EndMap;
  util::write_file_atomically(out / "shard.yaml", std::string(y.c_str()) + "\n");
}

ShardFile read_shard_file(const fs::path& dir) {
  const fs::path file = dir / "shard.yaml";
  try {
    const YAML::Node y = YAML::LoadFile(file.string());
    ShardFile s;
    s.version = y["version"].as<std::string>();
    s.shard = y["shard"].as<int>();
    s.shards = y["shards"].as<int>();
    s.assignment = y["assignment"]["id"].as<std::string>();
    s.title = y["assignment"]["title"].as<std::string>("");
    s.fingerprint = std::stoull(y["assignment"]["fingerprint"].as<std::string>(), nullptr, 16);
    for (const auto& c : y["assignment"]["checks"]) {
      s.checks.push_back(c["name"].as<std::string>());
      s.points.push_back(c["points"].as<double>());
    }
    for (const auto& m : y["modes"]) s.modes.push_back(m.as<std::string>());
    for (const auto& n : y["students"]) s.students.push_back(n.as<std::string>());
    for (const auto& n : y["class"]) s.class_list.push_back(n.as<std::string>());
    for (const auto& scenario : y["enforced"]) {
      for (const auto& line : scenario.second)
        s.enforced[scenario.first.as<std::string>()][line.first.as<std::string>()] =
            line.second.as<std::string>();
    }
    if (s.shards < 1 || s.shard < 0 || s.shard >= s.shards) throw std::runtime_error("shard out of range");
    return s;
  } catch (const std::exception& e) {
    throw config::ConfigError(
        fmt::format("{}: not a shard of a class graded by `ipcgrade batch` ({})", file.string(), e.what()));
  }
}

}  // namespace ipcgrade::batch
