#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "grader/config/assignment.hpp"

namespace ipcgrade::batch {

// The shard that owns a student: a hash of the student id (FNV-1a) modulo the number of shards, so that
// a submission added or removed moves no other student to another shard.
int shard_of(const std::string& student, int shards);

// What one `batch --shard I/N` graded, written as OUT/shard.yaml: enough for `ipcgrade merge` to put
// the class together without the assignment folder, to name the students of a shard that is missing,
// and to tell when shards were graded under another mode or other limits.
struct ShardFile {
  std::string version;  // ipcgrade's
  int shard = 0, shards = 1;
  std::string assignment;           // its id
  std::string title;                // its title
  std::uint64_t fingerprint = 0;    // of the assignment file's bytes: shards of other versions do not merge
  std::vector<std::string> checks;  // the check names, in file order (the gradebook's columns)
  std::vector<double> points;       // and their points
  std::vector<std::string> class_list;  // every student folder the shard saw (the whole class)
  std::vector<std::string> students;    // those it owns
  std::vector<std::string> modes;       // the isolation its reports were graded in
  // Per scenario, what enforced each limit (the report's `enforced`), from its first report; the
  // run's uid, which differs from run to run, as "N (...)".
  std::map<std::string, std::map<std::string, std::string>> enforced;
};

// Takes the assignment's id, title, fingerprint and checks, reads the reports of the shard's students
// in `out` for its modes and enforced lines, and writes OUT/shard.yaml atomically.
void write_shard_file(const std::filesystem::path& out, const config::Assignment& assignment,
                      ShardFile shard);
// The same with the assignment's part already filled in (a merged class's).
void save_shard_file(const std::filesystem::path& out, ShardFile shard);
// Reads DIR/shard.yaml; a ConfigError naming the file when it is missing or malformed.
ShardFile read_shard_file(const std::filesystem::path& dir);

}  // namespace ipcgrade::batch
