// The HTML report: one self-contained page (inline CSS, SVG and a few lines of JavaScript; nothing is
// fetched from anywhere), so that it opens offline, as a CI artifact or mailed. The score, the checks
// (failed ones first, each unfolding to its feedback and evidence), and for each scenario a sequence
// chart drawn from the trace, its outcome and limits; the build log; the mode. Everything that comes
// from a submission (output, names, file names from debug information) is escaped.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "grader/report/pages.hpp"
#include "grader/report/render.hpp"
#include "grader/report/sequence.hpp"
#include "grader/util/text.hpp"

namespace ipcgrade::report {

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : util::valid_utf8(util::escape_controls(std::string(text)))) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

const std::string& page_style() {
  static const std::string css = R"(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2327;background:#f6f7f9}
header{background:#1d2327;color:#fff;padding:14px 24px}
header h1{margin:0;font-size:20px}header .meta{opacity:.8;font-size:13px}
main{padding:16px 24px;max-width:1400px}
.score{font-size:28px;font-weight:700}
.pass{color:#1a7f37}.fail{color:#c62828}
details.check{background:#fff;border:1px solid #d0d7de;border-radius:6px;margin:6px 0;padding:6px 10px}
details.check summary{cursor:pointer;font-weight:600}
details.check .pts{float:right;font-variant-numeric:tabular-nums}
.feedback{margin:6px 0;white-space:pre-wrap}
.parts{margin:6px 0;color:#57606a;font-size:13px}
table.evidence{border-collapse:collapse;width:100%;font-size:13px}
table.evidence td,table.evidence th{border-top:1px solid #eaeef2;padding:3px 6px;text-align:left;vertical-align:top}
code,pre,.mono{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;font-size:12.5px}
pre{background:#fff;border:1px solid #d0d7de;padding:8px;overflow:auto;max-height:420px}
section.scenario{background:#fff;border:1px solid #d0d7de;border-radius:6px;margin:14px 0;padding:10px 12px}
.outcome{font-weight:600}.outcome.deadlock,.outcome.timeout,.outcome.limit,.outcome.crashed-grader{color:#c62828}
.chart{overflow:auto;border:1px solid #eaeef2;margin:8px 0}
svg.sequence text{font:12px system-ui,sans-serif}
svg.sequence .head rect{fill:#eef3f8;stroke:#57606a}
svg.sequence .head.object rect{fill:#fff8e6;stroke:#9a6700}
svg.sequence .life{stroke:#8c959f;stroke-dasharray:4 3}
svg.sequence .arrow line{stroke:#24292f;stroke-width:1.3}
svg.sequence .arrow.fork line{stroke:#6e7781;stroke-dasharray:2 2}
svg.sequence .arrow.wrong line{stroke:#c62828;stroke-width:2}
svg.sequence .arrow.wrong text{fill:#c62828;font-weight:600}
svg.sequence .arrow.blocked line{stroke:#c62828;stroke-dasharray:6 3;stroke-width:2}
svg.sequence .arrow{cursor:pointer}svg.sequence .arrow:hover text{text-decoration:underline}
svg.sequence .arrow.selected line{stroke:#0969da;stroke-width:3}
svg.sequence .end{font-size:11px}svg.sequence .end.left-behind{fill:#c62828;font-weight:700}
svg.sequence .end.blocked{fill:#c62828;font-weight:700}
.why{border-left:4px solid #c62828;background:#fff5f5;padding:6px 10px;margin:8px 0}
.detail{font-size:13px;background:#f6f8fa;border:1px solid #d0d7de;padding:6px 10px;min-height:1.5em}
dl.limits{display:grid;grid-template-columns:max-content auto;gap:2px 12px;font-size:12.5px;margin:6px 0}
dl.limits dt{font-weight:600}dl.limits dd{margin:0}
)";
  return css;
}

namespace {

constexpr int kRow = 28, kTop = 84, kHeadHeight = 40, kMargin = 16;
// Lanes are as wide as the page allows them, between these: 8 processes and their objects fit the chart's
// box in a 1280-pixel window (the page's margins and the scenario's padding leave it about 1200); past
// that the chart scrolls sideways (its box says overflow: auto).
constexpr int kWidest = 170, kNarrowest = 104, kPage = 1170;
constexpr int kCharWidth = 7;  // of the 13 px sans-serif text, about: a label is cut to its lane

int row_y(size_t row) {
  return kTop + 20 + static_cast<int>(row) * kRow;
}

std::string svg_text(int x, int y, const std::string& text, const std::string& attrs = "") {
  return fmt::format("<text x=\"{}\" y=\"{}\" {}>{}</text>", x, y, attrs, html_escape(text));
}

// The chart as SVG: every lifeline's head on top, dashed lifelines, one row per arrow, and each
// lifeline's end on a row of its own below its last arrow, so that no two texts share a row: an arrow's
// label, an end, a head never cover one another.
std::string chart_svg(const Sequence& s) {
  std::map<std::string, size_t> column;
  for (size_t i = 0; i < s.lines.size(); ++i) column[s.lines[i].id] = i;
  const size_t lanes = std::max<size_t>(s.lines.size(), 1);
  const int lane = std::clamp((kPage - 2 * kMargin) / static_cast<int>(lanes), kNarrowest, kWidest);
  auto column_x = [&](size_t i) { return kMargin + lane / 2 + static_cast<int>(i) * lane; };
  // Rows: each arrow, and after a lifeline's last arrow, its end.
  std::vector<size_t> arrow_row(s.arrows.size()), end_row(s.lines.size());
  std::map<size_t, std::vector<size_t>> ends_after;  // arrow index (exclusive end) -> lifelines
  for (size_t i = 0; i < s.lines.size(); ++i) {
    if (!s.lines[i].end.empty()) ends_after[s.lines[i].last].push_back(i);
  }
  size_t rows = 0;
  for (size_t i = 0; i <= s.arrows.size(); ++i) {
    for (const size_t l : ends_after[i]) end_row[l] = rows++;
    if (i < s.arrows.size()) arrow_row[i] = rows++;
  }
  const int width = kMargin * 2 + static_cast<int>(lanes) * lane;
  const int height = row_y(rows) + 40;
  std::string out = fmt::format(
      "<svg class=\"sequence\" width=\"{}\" height=\"{}\" "
      "viewBox=\"0 0 {} {}\" role=\"img\">",
      width, height, width, height);
  out +=
      "<defs><marker id=\"head\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" "
      "markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0 0L10 5L0 10z\" fill=\"context-stroke\"/>"
      "</marker></defs>";
  const int head_chars = (lane - 16) / kCharWidth;
  for (size_t i = 0; i < s.lines.size(); ++i) {
    const Lifeline& l = s.lines[i];
    const int x = column_x(i);
    const bool object = l.kind == Lifeline::Kind::Object;
    const int top = 18;
    out +=
        fmt::format("<g class=\"head {}\" data-line=\"{}\"><title>{}</title>", object ? "object" : "process",
                    html_escape(l.id), html_escape(l.sub.empty() ? l.title : l.title + " (" + l.sub + ")"));
    out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"5\"/>", x - lane / 2 + 6, top,
                       lane - 12, kHeadHeight);
    out += svg_text(x, top + 17, util::cut_to_columns(l.title, head_chars),
                    "text-anchor=\"middle\" font-weight=\"600\"");
    out += svg_text(x, top + 32, util::cut_to_columns(l.sub, head_chars),
                    "text-anchor=\"middle\" fill=\"#57606a\"");
    out += "</g>";
    // An object's lifeline starts where it was made; a process's at its head.
    const int from = object && l.first > 0 && l.first < arrow_row.size()
                         ? row_y(arrow_row[l.first]) - kRow / 2
                         : top + kHeadHeight;
    const int to = !l.end.empty()                             ? row_y(end_row[i]) - kRow / 2
                   : l.last > 0 && l.last <= arrow_row.size() ? row_y(arrow_row[l.last - 1]) + kRow / 2
                                                              : from + 6;
    out += fmt::format("<line class=\"life\" data-line=\"{}\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
                       html_escape(l.id), x, top + kHeadHeight, x, std::max(to, from + 6));
    if (!l.end.empty()) {
      const std::string cls = l.left_behind ? "end left-behind" : l.blocked ? "end blocked" : "end";
      std::string text = l.end;
      if (l.blocked && !l.waits.empty()) text = "blocked in " + l.waits;
      out += svg_text(
          x, row_y(end_row[i]) + 4, util::cut_to_columns(text, 2 * head_chars),
          fmt::format("class=\"{}\" text-anchor=\"middle\" data-line=\"{}\"", cls, html_escape(l.id)));
    }
  }
  // Attachments as bars on the lifelines, under the arrows.
  for (const Span& span : s.spans) {
    const auto l = column.find(span.line);
    if (l == column.end() || span.from >= arrow_row.size() || span.to == 0) continue;
    const int y1 = row_y(arrow_row[span.from]),
              y2 = row_y(arrow_row[std::min(span.to, arrow_row.size()) - 1]);
    out += fmt::format(
        "<rect class=\"span\" data-line=\"{}\" data-object=\"{}\" x=\"{}\" y=\"{}\" width=\"8\" "
        "height=\"{}\" "
        "fill=\"#fff1c2\" stroke=\"#bf8700\"><title>attached to {}</title></rect>",
        html_escape(span.line), html_escape(span.object), column_x(l->second) - 4, y1, std::max(y2 - y1, 6),
        html_escape(span.object));
  }
  for (size_t i = 0; i < s.arrows.size(); ++i) {
    const Arrow& a = s.arrows[i];
    const auto f = column.find(a.from), t = column.find(a.to);
    if (f == column.end() || t == column.end()) continue;
    const int y = row_y(arrow_row[i]);
    int x1 = column_x(f->second), x2 = column_x(t->second);
    std::string cls = "arrow";
    if (a.kind == Arrow::Kind::Fork) cls += " fork";
    if (a.wrong) cls += " wrong";
    if (a.blocked) cls += " blocked";
    std::string label = a.label;
    if (a.repeat > 1) label += fmt::format(" × {}", a.repeat);
    if (a.wrong) label = "⚠ " + label;
    out += fmt::format(
        "<g class=\"{}\" data-index=\"{}\" data-call=\"{}\" data-at=\"{}\" data-process=\"{}\" "
        "data-why=\"{}\" "
        "data-repeat=\"{}\">",
        cls, i, html_escape(a.call), html_escape(a.at), html_escape(a.process), html_escape(a.wrong_why),
        a.repeat);
    if (x1 == x2) {  // a call on itself: a small loop
      out += fmt::format(
          "<path d=\"M{} {} h30 v10 h-30\" fill=\"none\" stroke=\"#24292f\" marker-end=\"url(#head)\"/>", x1,
          y - 5);
      out += svg_text(x1 + 34, y + 4, label);
    } else {
      const int dir = x2 > x1 ? 1 : -1;
      out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" marker-end=\"url(#head)\"/>", x1, y,
                         x2 - dir * 2, y);
      out += svg_text((x1 + x2) / 2, y - 5, label, "text-anchor=\"middle\"");
    }
    out += "</g>";
  }
  if (s.not_drawn > 0) {
    out +=
        svg_text(kMargin, height - 12,
                 fmt::format("… {} more calls are not drawn (the trace file holds them all)", s.not_drawn));
  }
  return out + "</svg>";
}

std::string check_html(const CheckResult& c) {
  const bool passed = c.status == checks::Status::Passed;
  std::string out = fmt::format("<details class=\"check {}\"{}><summary><span class=\"{}\">{}</span> {}",
                                passed ? "passed" : "failed", passed ? "" : " open", passed ? "pass" : "fail",
                                passed ? "PASS" : "FAIL", html_escape(c.name));
  out += fmt::format("<span class=\"pts\">{}/{}</span></summary>", points(c.score), points(c.max_score));
  if (!c.parts.empty()) out += "<div class=\"parts\">" + html_escape(parts_text(c)) + "</div>";
  out += "<div class=\"feedback\">" + html_escape(c.feedback) + "</div>";
  if (!c.evidence.empty()) {
    out +=
        "<table "
        "class=\"evidence\"><tr><th>scenario</th><th>process</th><th>call</th><th>at</th><th>what</th></tr>";
    for (size_t i = 0; i < std::min(c.evidence.size(), kListed); ++i) {
      const auto& e = c.evidence[i];
      out += fmt::format(
          "<tr><td>{}</td><td>{}</td><td class=\"mono\">{}</td><td class=\"mono\">{}</td><td>{}</td></tr>",
          html_escape(e.scenario), html_escape(util::process_label(e.process, e.pid)), html_escape(e.call),
          html_escape(e.at), html_escape(e.detail));
    }
    if (c.evidence.size() > kListed)
      out += fmt::format("<tr><td colspan=\"5\">… and {} more ({} in all)</td></tr>",
                         c.evidence.size() - kListed, c.evidence.size());
    out += "</table>";
  }
  return out + "</details>";
}

const char* kScript = R"(
document.querySelectorAll('section.scenario').forEach(function (section) {
  var detail = section.querySelector('.detail');
  section.querySelectorAll('g.arrow').forEach(function (g) {
    g.addEventListener('click', function () {
      section.querySelectorAll('g.arrow.selected').forEach(function (o) { o.classList.remove('selected'); });
      g.classList.add('selected');
      var text = g.getAttribute('data-process') + ': ' + g.getAttribute('data-call');
      if (g.getAttribute('data-at')) text += '  at ' + g.getAttribute('data-at');
      if (g.getAttribute('data-repeat') !== '1') text += '  (' + g.getAttribute('data-repeat') + ' times)';
      if (g.getAttribute('data-why')) text += '\n' + g.getAttribute('data-why');
      detail.textContent = text;
    });
  });
});
)";

}  // namespace

std::string html_report(const Report& r) {
  std::string out = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">";
  out += "<title>" + html_escape(r.assignment + " — " + r.student) + "</title>";
  out += "<style>" + page_style() + "</style></head><body>";
  out += "<header><h1>" + html_escape(r.assignment) + (r.title.empty() ? "" : " — " + html_escape(r.title)) +
         "</h1>";
  std::string keys;
  for (key_t k : r.keys) keys += (keys.empty() ? "" : ", ") + format_key(k);
  out += fmt::format("<div class=\"meta\">student {}{} · isolation {} · build {}</div></header><main>",
                     html_escape(r.student), r.uses_keys ? " · keys " + keys : "", html_escape(r.mode),
                     build::to_string(r.build.status));
  out += fmt::format("<p class=\"score {}\" id=\"score\">{}/{}</p>", r.all_passed() ? "pass" : "fail",
                     points(r.score), points(r.max_score));
  out += "<h2>Checks</h2>";
  std::vector<const CheckResult*> order;
  for (const auto& c : r.checks) order.push_back(&c);
  std::stable_sort(order.begin(), order.end(), [](const CheckResult* a, const CheckResult* b) {
    return a->status == checks::Status::Failed && b->status != checks::Status::Failed;
  });
  for (const CheckResult* c : order) out += check_html(*c);
  out += "<h2>Scenarios</h2>";
  for (const auto& s : r.scenarios) {
    const Sequence seq = sequence_of(s, r.checks);
    out += fmt::format("<section class=\"scenario\" data-scenario=\"{}\"><h3>{}</h3>", html_escape(s.name),
                       html_escape(s.name));
    out += fmt::format("<p>outcome: <span class=\"outcome {}\">{}</span> in {:.2f} s</p>",
                       run::to_string(s.outcome), run::to_string(s.outcome), s.seconds);
    if (!s.outcome_detail.empty()) out += "<div class=\"why\">" + html_escape(s.outcome_detail) + "</div>";
    if (!s.runs.empty()) {
      // Ran under several schedules: each run's seed and outcome; the chart is the run shown.
      out += fmt::format("<p class=\"runs\">{} runs under seeded schedules:", s.runs.size());
      for (const auto& run : s.runs) {
        out += fmt::format(" <span class=\"run {}\">seed {} {}</span>", run::to_string(run.outcome), run.seed,
                           run::to_string(run.outcome));
      }
      out += fmt::format(" — the chart shows seed {}.</p>", s.seed.value_or(0));
    }
    out += "<div class=\"chart\">" + chart_svg(seq) + "</div>";
    out += "<div class=\"detail\">Click an arrow for its call, result and line.</div>";
    if (!s.enforced.empty()) {
      out += "<details><summary>limits and how they were enforced</summary><dl class=\"limits\">";
      for (const auto& [what, how] : s.enforced)
        out += "<dt>" + html_escape(what) + "</dt><dd>" + html_escape(how) + "</dd>";
      out += "</dl></details>";
    }
    out += "</section>";
  }
  if (r.build.status != build::BuildStatus::None) {
    out +=
        fmt::format("<h2>Build</h2><details{}><summary>build {} ({:.2f} s)</summary><pre>{}</pre></details>",
                    r.build.usable() ? "" : " open", build::to_string(r.build.status), r.build.seconds,
                    html_escape(r.build.log));
  }
  out += "</main><script>" + std::string(kScript) + "</script></body></html>\n";
  return out;
}

}  // namespace ipcgrade::report
