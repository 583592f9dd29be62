#include "grader/batch/gradebook.hpp"

#include <yaml-cpp/yaml.h>

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <map>

#include "grader/report/render.hpp"

namespace ipcgrade::batch {

namespace {

// A cell as spreadsheets must read it: a student folder named "=2+5" or "@SUM(1+1)" is text, not a formula
// (OWASP's CSV injection advice: a leading =, +, -, @, tab or carriage return gets a ' before it).
std::string csv_cell(const std::string& raw) {
  const std::string text =
      !raw.empty() && std::string("=+-@\t\r").find(raw[0]) != std::string::npos ? "'" + raw : raw;
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string number(double v) {
  return std::floor(v) == v ? fmt::format("{}", static_cast<long long>(v)) : fmt::format("{:.2f}", v);
}

}  // namespace

std::optional<Row> read_row(const std::filesystem::path& report) {
  try {
    const YAML::Node y = YAML::LoadFile(report.string());
    if (!y["student"] || !y["score"] || !y["max_score"]) return std::nullopt;
    Row row;
    row.student = y["student"].as<std::string>();
    row.score = y["score"].as<double>();
    row.max_score = y["max_score"].as<double>();
    if (y["internal_fault"]) row.fault = y["internal_fault"].as<std::string>();
    if (y["build"] && y["build"]["status"]) {
      const std::string status = y["build"]["status"].as<std::string>();
      row.built = status == "ok" || status == "none";
    }
    for (const auto& c : y["checks"]) {
      const int runs = c["runs"] ? c["runs"].as<int>() : 1,
                passed = c["runs_passed"] ? c["runs_passed"].as<int>() : 0;
      row.checks.push_back({c["name"].as<std::string>(), c["score"].as<double>(),
                            c["status"].as<std::string>(), c["feedback"].as<std::string>(""),
                            runs > 1 && passed > 0 && passed < runs});
    }
    return row;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string gradebook_csv(const config::Assignment& assignment, const std::vector<Row>& rows) {
  std::string out = "student,score,max_score";
  for (const auto& c : assignment.checks) out += "," + csv_cell(c.name);
  out += ",varied\n";
  for (const auto& row : rows) {
    out += csv_cell(row.student) + "," + number(row.score) + "," + number(row.max_score);
    std::string varied;  // the checks whose result depended on the schedule
    for (const auto& c : assignment.checks) {
      auto it = std::find_if(row.checks.begin(), row.checks.end(),
                             [&](const auto& rc) { return rc.name == c.name; });
      out += "," + (it == row.checks.end() ? std::string() : number(it->score));
      if (it != row.checks.end() && it->varied) varied += (varied.empty() ? "" : "; ") + c.name;
    }
    out += "," + csv_cell(varied) + "\n";
  }
  return out;
}

std::string summary_md(const config::Assignment& a, const std::vector<Row>& rows) {
  std::string out = fmt::format("# {} — the class at a glance\n\n", a.title.empty() ? a.id : a.title);
  if (rows.empty()) return out + "No submission was graded.\n";
  std::vector<double> percent;
  size_t faults = 0;
  for (const auto& r : rows) {
    percent.push_back(r.max_score > 0 ? 100.0 * r.score / r.max_score : 0);
    faults += r.fault.empty() ? 0 : 1;
  }
  std::vector<double> sorted = percent;
  std::sort(sorted.begin(), sorted.end());
  double mean = 0;
  for (double p : percent) mean += p;
  mean /= static_cast<double>(percent.size());
  out +=
      fmt::format("{} submissions · mean {:.0f} % · median {:.0f} % · lowest {:.0f} % · highest {:.0f} %\n",
                  rows.size(), mean, sorted[sorted.size() / 2], sorted.front(), sorted.back());
  if (faults)
    out +=
        fmt::format("\n{} submission(s) could not be graded (internal fault); see their reports.\n", faults);
  out += "\n## Score distribution\n\n| score | students |\n| --- | --- |\n";
  for (int bucket = 0; bucket <= 9; ++bucket) {
    const double lo = bucket * 10.0, hi = bucket == 9 ? 100.1 : lo + 10.0;
    const auto n = std::count_if(percent.begin(), percent.end(), [&](double p) { return p >= lo && p < hi; });
    out += fmt::format("| {}–{} % | {} {} |\n", bucket * 10, bucket == 9 ? 100 : bucket * 10 + 9, n,
                       std::string(static_cast<size_t>(n), '#'));
  }
  const auto unbuilt = std::count_if(rows.begin(), rows.end(), [](const Row& r) { return !r.built; });
  if (unbuilt > 0)
    out += fmt::format("\n{} submission(s) did not build: every check failed with the build.\n", unbuilt);
  out += "\n## Checks\n\n| check | failed | varied | most common feedback |\n| --- | --- | --- | --- |\n";
  for (const auto& c : a.checks) {
    size_t failed = 0, varied = 0;
    // The feedback of the submissions that built: a failed build says the same of every check, and
    // would otherwise win every tie.
    std::map<std::string, size_t> feedback;
    for (const auto& r : rows) {
      for (const auto& rc : r.checks) {
        if (rc.name == c.name && rc.varied) ++varied;
        if (rc.name != c.name || rc.status != "failed") continue;
        ++failed;
        if (r.built) ++feedback[rc.feedback];
      }
    }
    std::string common;
    size_t best = 0;
    for (const auto& [text, n] : feedback) {
      if (n > best) {
        best = n;
        common = text;
      }
    }
    // Feedback carries the submissions' text (output, names): Markdown-escaped, never raw HTML.
    const std::string cell = common.empty() ? ""
                                            : fmt::format("{} % of the class: {}", 100 * best / rows.size(),
                                                          report::md_cell(common));
    // Varied: the result depended on the schedule for that many students (their runs disagreed).
    out += fmt::format("| {} | {} of {} ({} %) | {} | {} |\n", report::md_cell(c.name), failed, rows.size(),
                       100 * failed / rows.size(), varied, cell);
  }
  return out;
}

}  // namespace ipcgrade::batch
