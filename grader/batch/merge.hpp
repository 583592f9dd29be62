#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace ipcgrade::batch {

// What merging the shards of a class found.
struct Merged {
  size_t students = 0;                // the class, as the shards saw it
  std::vector<std::string> missing;   // no report, or a report of a grader's fault: with why
  std::vector<std::string> warnings;  // shards graded under another mode or other limits, and the like
};

// Puts a class graded as shards (`batch --shard I/N`, each in its own folder) together in `out`,
// grading nothing: every student's folder copied from the shard that owns it, then gradebook.csv,
// summary.md, index.html and shard.yaml as one `batch` of the whole class writes them. Shards of
// another assignment, another N, or the same shard twice are refused (a ConfigError); a student whose
// shard is missing or who has no complete report is named in `missing`.
Merged merge_shards(const std::filesystem::path& out, const std::vector<std::filesystem::path>& shards);

}  // namespace ipcgrade::batch
