#pragma once
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "grader/config/assignment.hpp"

namespace ipcgrade::batch {

struct Options {
  std::filesystem::path assignment;   // as given: passed on to each worker
  std::filesystem::path submissions;  // one sub-folder per student
  std::filesystem::path out;
  int jobs = 1;
  int shard = 0, shards = 1;  // grade the students whose id hashes to shard mod shards (shard_of)
  bool resume = false;        // keep complete reports; grade again those that hold a fault
  bool force = false;         // grade everyone again into an --out that holds reports
  bool gradescope = false;    // also write DIR/<student>/results.json
  bool junit = false;         // also write DIR/<student>/junit.xml
  std::string isolation = "auto";
  std::string tracer;  // --tracer, passed on to each worker
  int runs = 0;        // > 0: --runs for every worker
  std::string seed;    // set: --seed for every worker (each student's runs then share their seeds)
};

// What a batch did, for its last line and its exit code.
struct Outcome {
  size_t students = 0;  // the shard's
  size_t graded = 0;    // graded by this run
  size_t kept = 0;      // complete reports of an earlier run, kept (--resume)
  size_t regraded = 0;  // of those graded, reports of an earlier run that held a fault (--resume)
  std::vector<std::string> faulted;  // whose grading faulted (internal_fault) or left no report
};

// Grades a class: a bounded pool of worker processes, each an `ipcgrade grade` of one submission
// in its own sandbox; a worker that dies is recorded as an internal fault for its student and the
// batch goes on. Writes DIR/<student>/report.yaml, DIR/gradebook.csv, DIR/summary.md, DIR/index.html
// and DIR/shard.yaml (what this shard of the class graded, for `ipcgrade merge`).
// Throws Interrupted when SIGINT or SIGTERM stopped it, having stopped its workers and said on stderr
// how to go on (--resume); the command exits 130.
Outcome grade_class(const config::Assignment& assignment, const Options& options);
struct Interrupted {};

}  // namespace ipcgrade::batch
