// `ipcgrade merge OUT SHARD_DIR...`: the class's gradebook, summary, page and reports from the shards a
// cluster graded, without grading anything.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "grader/batch/merge.hpp"
#include "grader/cli/commands.hpp"

namespace ipcgrade::cli {

void add_merge_command(CLI::App& app, MergeArgs& args) {
  CLI::App* cmd = app.add_subcommand(
      "merge", "put a class graded as shards (batch --shard I/N) together: gradebook, summary, reports");
  cmd->add_option("OUT", args.out, "where the class's files and every student's folder go")->required();
  cmd->add_option("SHARD_DIR", args.shards, "the --out folder of each shard")->required();
}

int run_merge(const MergeArgs& args) {
  std::vector<std::filesystem::path> dirs(args.shards.begin(), args.shards.end());
  const batch::Merged merged = batch::merge_shards(args.out, dirs);
  for (const auto& w : merged.warnings) std::cerr << "ipcgrade: warning: " << w << "\n";
  std::cout << fmt::format(
      "{} student(s) from {} shard folder(s); gradebook: {}/gradebook.csv, summary: "
      "{}/summary.md\n",
      merged.students - merged.missing.size(), dirs.size(), args.out, args.out);
  if (!merged.missing.empty()) {
    std::cerr << fmt::format("ipcgrade: {} student(s) not graded:\n", merged.missing.size());
    for (const auto& m : merged.missing) std::cerr << "  " << m << "\n";
    std::cerr << "grade them (batch --shard I/N --resume in the shard's folder) and merge again\n";
    return kExitInternal;
  }
  return kExitPassed;
}

}  // namespace ipcgrade::cli
