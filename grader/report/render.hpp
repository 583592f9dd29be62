#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "grader/report/report.hpp"

namespace ipcgrade::report {

// The report as the ordered tree that both --json and the YAML report print (see docs/report.md).
nlohmann::ordered_json to_json(const Report& report);
// Every list a report holds is cut at this many entries in every format: a run that leaves 30,000 queues
// or a check with a million offending calls must not make a report of megabytes. What is cut is counted
// ("... and 4,900 more (5,000 in all)").
constexpr size_t kListed = 100;
// "\n... and 4900 more (5000 in all)" after a list of `total` cut at kListed; "" when nothing was cut.
std::string cut_line(size_t total);

// Makes every string of `j` valid UTF-8 (invalid bytes become U+FFFD): the submission's text — its
// output, a file name, a student folder's name — can hold any bytes, and JSON (and YAML) carry only text.
void valid_strings(nlohmann::ordered_json& j);
std::string to_yaml(const Report& report);
// The human summary: one line per check, feedback and evidence for failures, the total.
// `terminal`: its width, when the summary goes to one: evidence lines are then wrapped at spaces with
// their indent kept, never cut mid-word by the terminal; 0 leaves them whole (a file, a pipe).
std::string summary(const Report& report, bool color, size_t terminal = 0);
// A score as the summary shows it: "85", or "7.50".
std::string points(double p);
// A check judged in two parts: "visible scenarios 5/5 · hidden scenarios 0/5"; empty for one of one.
std::string parts_text(const CheckResult& check);

// Text for Markdown (report.md, the class's summary.md), one line: controls and line breaks escaped and
// every ASCII punctuation mark backslash-escaped, so that no link, image, HTML tag, emphasis or table
// pipe in a submission's text (its output, a file name) is read as Markdown.
std::string md_cell(std::string_view text);
// The same for prose outside a table (a check's feedback, an evidence line): the marks that cannot start
// any Markdown there (`(`, `)`, `|`, `,`, `;`, `=`, quotes, `/`, `%`, `?`) stay as they are, so that a
// reader of the raw text (a terminal, a renderer without escapes) sees "IPC_CREAT|IPC_EXCL" and not
// "IPC\_CREAT\|IPC\_EXCL"; every other mark is escaped as md_cell escapes it.
std::string md_prose(std::string_view text);
// The same as a code span, for calls and file names: a fence of backticks the text cannot close.
std::string md_code(std::string_view text);
// A log as a fenced block, its fence longer than any run of backticks in it (a compiler's message cannot
// close it).
std::string md_fenced(std::string_view text);

// "0x00005000", the way ipcs prints keys.
std::string format_key(long key);

}  // namespace ipcgrade::report
