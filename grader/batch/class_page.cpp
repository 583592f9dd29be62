#include "grader/batch/class_page.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "grader/report/pages.hpp"
#include "grader/report/render.hpp"
#include "grader/util/text.hpp"

namespace ipcgrade::batch {

namespace {

using report::html_escape;

// A student folder's name as a relative link: every byte but letters, digits and "-._~" percent-encoded,
// so that no name can become a scheme, a query or another folder.
std::string href(const std::string& student) {
  std::string out;
  for (const unsigned char c : student) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out + "/report.html";
}

double percent(const Row& r) {
  return r.max_score > 0 ? 100.0 * r.score / r.max_score : 0;
}

std::string histogram(const std::vector<Row>& rows) {
  std::vector<size_t> bins(10, 0);
  for (const auto& r : rows) bins[std::min<size_t>(9, static_cast<size_t>(percent(r) / 10))]++;
  const size_t most = std::max<size_t>(1, *std::max_element(bins.begin(), bins.end()));
  // kTop: room above the tallest bar for its count.
  constexpr int kWidth = 48, kHeight = 160, kTop = 18;
  std::string out = fmt::format("<svg class=\"histogram\" width=\"{}\" height=\"{}\" role=\"img\">",
                                kWidth * 10 + 20, kTop + kHeight + 40);
  for (size_t i = 0; i < bins.size(); ++i) {
    const int h = static_cast<int>(kHeight * bins[i] / most);
    const int x = 10 + static_cast<int>(i) * kWidth;
    out += fmt::format(
        "<g class=\"bin\" data-students=\"{}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" "
        "fill=\"#0969da\"/>"
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text><text x=\"{}\" y=\"{}\" "
        "text-anchor=\"middle\" "
        "font-size=\"11\">{}–{}</text></g>",
        bins[i], x + 4, kTop + 10 + kHeight - h, kWidth - 8, h, x + kWidth / 2, kTop + 6 + kHeight - h,
        bins[i] ? std::to_string(bins[i]) : "", x + kWidth / 2, kTop + kHeight + 28, i * 10,
        i == 9 ? 100 : i * 10 + 9);
  }
  return out + "</svg>";
}

std::string failure_rates(const config::Assignment& a, const std::vector<Row>& rows) {
  // The names' column as wide as the longest name needs (about 7 pixels a character), within reason; a
  // longer name is cut, whole in its tooltip.
  constexpr int kBar = 300, kRow = 24, kChar = 7;
  size_t longest = 0;
  for (const auto& c : a.checks) longest = std::max(longest, c.name.size());
  const int kLabel = std::clamp(static_cast<int>(longest) * kChar + 16, 120, 560);
  const size_t fits = static_cast<size_t>((kLabel - 16) / kChar);
  std::string out = fmt::format("<svg class=\"failures\" width=\"{}\" height=\"{}\" role=\"img\">",
                                kLabel + kBar + 90, static_cast<int>(a.checks.size()) * kRow + 10);
  for (size_t i = 0; i < a.checks.size(); ++i) {
    size_t failed = 0, seen = 0;
    for (const auto& r : rows) {
      for (const auto& c : r.checks) {
        if (c.name != a.checks[i].name) continue;
        ++seen;
        failed += c.status == "failed" ? 1 : 0;
      }
    }
    const double rate = seen ? static_cast<double>(failed) / static_cast<double>(seen) : 0;
    const int y = 5 + static_cast<int>(i) * kRow;
    out += fmt::format(
        "<g class=\"rate\" data-check=\"{}\" data-failed=\"{}\"><title>{}</title><text x=\"{}\" y=\"{}\" "
        "text-anchor=\"end\">{}</text>"
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#eaeef2\"/>"
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#c62828\"/>"
        "<text x=\"{}\" y=\"{}\">{:.0f} % ({})</text></g>",
        html_escape(a.checks[i].name), failed, html_escape(a.checks[i].name), kLabel - 8, y + 15,
        html_escape(util::cut_to_columns(a.checks[i].name, fits)), kLabel, y + 3, kBar, kRow - 8, kLabel,
        y + 3, static_cast<int>(kBar * rate), kRow - 8, kLabel + kBar + 6, y + 15, rate * 100, failed);
  }
  return out + "</svg>";
}

}  // namespace

std::string class_index_html(const config::Assignment& a, const std::vector<Row>& rows) {
  const std::string title = a.title.empty() ? a.id : a.title;
  std::string out =
      "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + html_escape(title) +
      " — the class</title><style>" + report::page_style() +
      "table.class{border-collapse:collapse;background:#fff}table.class td,table.class th{border:1px "
      "solid #d0d7de;padding:3px 8px}</style></head><body>";
  out += "<header><h1>" + html_escape(title) + " — the class at a glance</h1><div class=\"meta\">" +
         fmt::format("{} submissions", rows.size()) + "</div></header><main>";
  out += "<h2>Scores</h2>" + histogram(rows);
  out += "<h2>Checks: how many failed</h2>" + failure_rates(a, rows);
  out +=
      "<h2>Students</h2><table class=\"class\"><tr><th>student</th><th>score</th><th>failed checks</th>"
      "<th>varied</th></tr>";
  for (const auto& r : rows) {
    size_t failed = 0;
    std::string varied;  // checks whose result depended on the schedule
    for (const auto& c : r.checks) {
      failed += c.status == "failed" ? 1 : 0;
      if (c.varied) varied += (varied.empty() ? "" : ", ") + html_escape(c.name);
    }
    out += fmt::format(
        "<tr class=\"student\"><td><a href=\"{}\">{}</a></td><td>{}/{}</td><td>{}{}</td><td "
        "class=\"varied\">{}</td></tr>",
        html_escape(href(r.student)), html_escape(r.student), report::points(r.score),
        report::points(r.max_score), failed, r.fault.empty() ? "" : " (grader fault)", varied);
  }
  return out + "</table></main></body></html>\n";
}

}  // namespace ipcgrade::batch
