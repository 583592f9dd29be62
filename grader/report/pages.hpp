#pragma once
// The report as pages a person opens: HTML (self-contained, with a sequence chart per scenario) and
// Markdown (with a Mermaid sequenceDiagram per failed scenario, as GitHub and GitLab draw it).
#include <string>
#include <string_view>

#include "grader/report/report.hpp"

namespace ipcgrade::report {

// One self-contained HTML page: nothing in it is fetched from anywhere.
std::string html_report(const Report& report);
// The summary as Markdown, with a Mermaid sequenceDiagram of each scenario that failed a check or did
// not complete.
std::string markdown_report(const Report& report);
// A scenario's sequence chart as the text of a Mermaid sequenceDiagram (without the code fence).
std::string mermaid_sequence(const run::ScenarioResult& scenario, const std::vector<CheckResult>& checks);

// Text from anywhere (a submission's output, names) made safe inside HTML, attributes included.
std::string html_escape(std::string_view text);
// The pages' shared style sheet.
const std::string& page_style();

}  // namespace ipcgrade::report
