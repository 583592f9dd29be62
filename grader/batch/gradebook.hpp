#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "grader/config/assignment.hpp"

namespace ipcgrade::batch {

// What the class summary and the gradebook need of one student's report.yaml.
struct Row {
  std::string student;
  double score = 0;
  double max_score = 0;
  std::string fault;  // internal fault of the grader for this student, if any
  struct Check {
    std::string name;
    double score = 0;
    std::string status;
    std::string feedback;
    // Its result differed between the runs of a scenario that ran several times: the verdict depended
    // on the schedule.
    bool varied = false;
  };
  std::vector<Check> checks;
  bool built = true;  // false when the build failed, timed out or was refused: every check failed with it
};

// Reads DIR/<student>/report.yaml; nullopt when it is missing or incomplete.
std::optional<Row> read_row(const std::filesystem::path& report);

// gradebook.csv: student,score,max_score, then one column per check (its score), in file order.
std::string gradebook_csv(const config::Assignment& assignment, const std::vector<Row>& rows);
// summary.md: the class at a glance — score distribution, and per check how many failed it and
// their most common feedback.
std::string summary_md(const config::Assignment& assignment, const std::vector<Row>& rows);

}  // namespace ipcgrade::batch
