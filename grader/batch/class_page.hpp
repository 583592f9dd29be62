#pragma once
#include <string>
#include <vector>

#include "grader/batch/gradebook.hpp"
#include "grader/config/assignment.hpp"

namespace ipcgrade::batch {

// DIR/index.html of a batch: the class's score histogram and each check's failure rate as SVG bars,
// and every student linked to their own report.html. Self-contained, like the students' pages.
std::string class_index_html(const config::Assignment& assignment, const std::vector<Row>& rows);

}  // namespace ipcgrade::batch
