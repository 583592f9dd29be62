// `ipcgrade merge`: a class graded as shards, put together without grading (see merge.hpp).
#include "grader/batch/merge.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <set>

#include "grader/batch/class_page.hpp"
#include "grader/batch/gradebook.hpp"
#include "grader/batch/shard.hpp"
#include "grader/config/error.hpp"
#include "grader/util/atomic_file.hpp"

namespace fs = std::filesystem;

namespace ipcgrade::batch {

namespace {

// The shards must be of one class: the same assignment file, the same N, each index once.
void same_class(const std::vector<ShardFile>& files, const std::vector<fs::path>& dirs) {
  std::map<int, size_t> seen;
  for (size_t i = 0; i < files.size(); ++i) {
    const ShardFile &f = files[i], &first = files[0];
    if (f.assignment != first.assignment || f.fingerprint != first.fingerprint || f.checks != first.checks)
      throw config::ConfigError(fmt::format(
          "{}: graded with another assignment file than {} ('{}' {:016x} and '{}' {:016x}): shards of one "
          "class are graded with the same file",
          dirs[i].string(), dirs[0].string(), f.assignment, f.fingerprint, first.assignment,
          first.fingerprint));
    if (f.shards != first.shards)
      throw config::ConfigError(
          fmt::format("{}: shard {}/{}, but {} is shard {}/{}: the class was cut in "
                      "different ways",
                      dirs[i].string(), f.shard, f.shards, dirs[0].string(), first.shard, first.shards));
    if (const auto [it, added] = seen.emplace(f.shard, i); !added)
      throw config::ConfigError(fmt::format("{} and {} are both shard {}/{}", dirs[it->second].string(),
                                            dirs[i].string(), f.shard, f.shards));
  }
}

// Where shards were graded differently: another isolation mode, other limits on the node.
std::vector<std::string> differences(const std::vector<ShardFile>& files) {
  std::vector<std::string> out;
  const ShardFile& first = files[0];
  for (const ShardFile& f : files) {
    if (f.modes != first.modes)
      out.push_back(fmt::format("shard {} was graded in {} mode, shard {} in {}", f.shard,
                                fmt::join(f.modes, " and "), first.shard, fmt::join(first.modes, " and ")));
    if (f.version != first.version)
      out.push_back(fmt::format("shard {} was graded by ipcgrade {}, shard {} by {}", f.shard, f.version,
                                first.shard, first.version));
    for (const auto& [scenario, lines] : f.enforced) {
      const auto other = first.enforced.find(scenario);
      if (other == first.enforced.end()) continue;
      for (const auto& [key, value] : lines) {
        const auto was = other->second.find(key);
        if (was != other->second.end() && was->second != value)
          out.push_back(fmt::format("scenario '{}', {}: shard {} had \"{}\", shard {} \"{}\"", scenario, key,
                                    f.shard, value, first.shard, was->second));
      }
    }
  }
  return out;
}

}  // namespace

Merged merge_shards(const fs::path& out, const std::vector<fs::path>& dirs) {
  if (dirs.empty()) throw config::ConfigError("merge: give the folders of the shards to merge");
  std::vector<ShardFile> files;
  for (const auto& dir : dirs) files.push_back(read_shard_file(dir));
  same_class(files, dirs);
  std::map<int, size_t> by_shard;
  std::set<std::string> everyone;
  for (size_t i = 0; i < files.size(); ++i) {
    by_shard[files[i].shard] = i;
    everyone.insert(files[i].class_list.begin(), files[i].class_list.end());
  }
  Merged merged;
  merged.students = everyone.size();
  merged.warnings = differences(files);
  for (const auto& f : files) {
    if (f.class_list.size() != everyone.size())
      merged.warnings.push_back(fmt::format("shard {} saw {} of the class's {} student folders", f.shard,
                                            f.class_list.size(), everyone.size()));
  }
  const int n = files[0].shards;
  fs::create_directories(out);
  ShardFile whole = files[0];
  whole.shard = 0;
  whole.shards = 1;
  whole.class_list.assign(everyone.begin(), everyone.end());
  whole.students.clear();
  std::vector<Row> rows;
  for (const auto& student : everyone) {
    const int owner = shard_of(student, n);
    const auto at = by_shard.find(owner);
    if (at == by_shard.end()) {
      merged.missing.push_back(fmt::format("{} (shard {}/{} was not given)", student, owner, n));
      continue;
    }
    const ShardFile& shard = files[at->second];
    const fs::path from = dirs[at->second] / student;
    const auto row = read_row(from / "report.yaml");
    if (!row || std::find(shard.students.begin(), shard.students.end(), student) == shard.students.end()) {
      merged.missing.push_back(fmt::format("{} (no report in {})", student, dirs[at->second].string()));
      continue;
    }
    if (!row->fault.empty())
      merged.missing.push_back(
          fmt::format("{} (the grader failed in shard {}: {})", student, owner, row->fault));
    // The student's folder, as the shard wrote it: the report, its page and the exports.
    fs::remove_all(out / student);
    fs::copy(from, out / student, fs::copy_options::recursive);
    rows.push_back(*row);
    whole.students.push_back(student);
  }
  config::Assignment a;
  a.id = whole.assignment;
  a.title = whole.title;
  for (size_t i = 0; i < whole.checks.size(); ++i) {
    config::CheckSpec c;
    c.name = whole.checks[i];
    c.points = whole.points[i];
    a.checks.push_back(c);
  }
  util::write_file_atomically(out / "gradebook.csv", gradebook_csv(a, rows));
  std::string summary = summary_md(a, rows);
  if (!merged.warnings.empty() || !merged.missing.empty()) {
    summary += "\n## Merged from shards that differ\n\n";
    for (const auto& m : merged.missing) summary += "- not graded: " + m + "\n";
    for (const auto& w : merged.warnings) summary += "- " + w + "\n";
  }
  util::write_file_atomically(out / "summary.md", summary);
  util::write_file_atomically(out / "index.html", class_index_html(a, rows));
  save_shard_file(out, whole);
  return merged;
}

}  // namespace ipcgrade::batch
