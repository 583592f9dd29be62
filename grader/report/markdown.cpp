// The Markdown report: the summary as a table of checks, the failed checks' feedback and evidence, and
// a Mermaid sequenceDiagram of each scenario that failed a check or did not complete, which GitHub's and
// GitLab's Markdown draw as a picture (`check` appends it to $GITHUB_STEP_SUMMARY).
#include <fmt/format.h>
#include <cctype>

#include <algorithm>
#include <map>

#include "grader/report/pages.hpp"
#include "grader/report/render.hpp"
#include "grader/report/sequence.hpp"
#include "grader/util/text.hpp"

namespace ipcgrade::report {

namespace {

// The arrows a diagram shows at most: a picture longer than this is read in the HTML report.
constexpr size_t kMaxMessages = 80;

// Text inside a Mermaid message or note: Mermaid reads ';' and '#' and a few more as syntax, and
// Markdown reads '<' and '|' in a table; what is left is plain.
std::string mermaid_text(std::string_view text) {
  std::string out;
  for (const char c : util::escape_controls(text, true)) {
    switch (c) {
      case ';':
      case '#':
      case '<':
      case '>':
      case '{':
      case '}':
      case '"':
      case '`':
      case '%':
      case '\\':
      case ':':
        out += ' ';
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

namespace {

// The longest run of backticks in `text`: a fence one longer is one the text cannot close.
size_t longest_backticks(std::string_view text) {
  size_t longest = 0, run = 0;
  for (const char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return longest;
}

// `text` on one line with every ASCII punctuation mark backslash-escaped (CommonMark lets a backslash
// escape any) but those in `keep`.
std::string escaped(std::string_view text, std::string_view keep) {
  std::string out;
  for (const char c : util::one_line(util::escape_controls(text, true))) {
    if (std::ispunct(static_cast<unsigned char>(c)) && keep.find(c) == std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string md_code(std::string_view text) {
  const std::string inner = util::one_line(util::escape_controls(text, true));
  // A fence longer than any run of backticks inside: the text cannot close it (and a space on each side
  // when it starts or ends with one).
  const std::string fence(longest_backticks(inner) + 1, '`');
  const bool pad = !inner.empty() && (inner.front() == '`' || inner.back() == '`');
  return fence + (pad ? " " : "") + inner + (pad ? " " : "") + fence;
}

std::string md_cell(std::string_view text) {
  // No link, image, emphasis, code span, HTML tag or table pipe can start inside, and the text reads the
  // same.
  return escaped(text, "");
}

std::string md_prose(std::string_view text) {
  return escaped(text, "()|,;=\"'/%?");
}

std::string md_fenced(std::string_view text) {
  const std::string fence(std::max<size_t>(3, longest_backticks(text) + 1), '`');
  return fence + "\n" + std::string(text) + (text.empty() || text.back() == '\n' ? "" : "\n") + fence;
}

namespace {

bool scenario_failed(const run::ScenarioResult& s, const std::vector<CheckResult>& checks) {
  if (s.outcome != run::Outcome::Completed) return true;
  for (const auto& c : checks) {
    if (c.status != checks::Status::Failed) continue;
    for (const auto& e : c.evidence) {
      if (e.scenario == s.name) return true;
    }
  }
  return false;
}

}  // namespace

std::string mermaid_sequence(const run::ScenarioResult& scenario, const std::vector<CheckResult>& checks) {
  const Sequence s = sequence_of(scenario, checks);
  std::map<std::string, std::string> alias;  // lifeline id -> a Mermaid name: letters and digits only
  std::string out = "sequenceDiagram\n";
  for (size_t i = 0; i < s.lines.size(); ++i) {
    const Lifeline& l = s.lines[i];
    alias[l.id] = fmt::format("{}{}", l.kind == Lifeline::Kind::Process ? "P" : "O", i);
    out += fmt::format("    participant {} as {}\n", alias[l.id],
                       mermaid_text(l.sub.empty() ? l.title : l.title + " (" + l.sub + ")"));
  }
  size_t shown = 0;
  for (const auto& a : s.arrows) {
    if (shown == kMaxMessages) break;
    const auto f = alias.find(a.from), t = alias.find(a.to);
    if (f == alias.end() || t == alias.end()) continue;
    std::string label = a.label;
    if (a.repeat > 1) label += fmt::format(" ×{}", a.repeat);
    if (a.wrong) label = "WRONG " + label;
    if (a.blocked) label = "BLOCKED " + label;
    const char* arrow = a.kind == Arrow::Kind::Fork ? "-->>" : a.wrong || a.blocked ? "-x" : "->>";
    out += fmt::format("    {}{}{}: {}\n", f->second, arrow, t->second, mermaid_text(label));
    ++shown;
  }
  const size_t skipped = s.arrows.size() - shown + s.not_drawn;
  if (skipped > 0 && !s.lines.empty())
    out += fmt::format("    Note over {}: {} more calls in the HTML report\n", alias[s.lines.front().id],
                       skipped);
  for (const auto& l : s.lines) {
    if (l.left_behind) out += fmt::format("    Note over {}: left behind\n", alias[l.id]);
    if (l.blocked)
      out += fmt::format("    Note over {}: blocked in {}\n", alias[l.id],
                         mermaid_text(l.waits.empty() ? "a call" : l.waits));
  }
  return out;
}

std::string markdown_report(const Report& r) {
  std::string out =
      fmt::format("## {}{} — {}/{}\n\n", md_cell(r.assignment),
                  r.title.empty() ? "" : ": " + md_cell(r.title), points(r.score), points(r.max_score));
  out += fmt::format("student {} · isolation {} · build {}\n\n", md_code(r.student), r.mode,
                     build::to_string(r.build.status));
  out += "| | check | points |\n| --- | --- | --- |\n";
  for (const auto& c : r.checks) {
    const bool passed = c.status == checks::Status::Passed;
    out += fmt::format("| {} | {} | {}/{} |\n", passed ? "✅" : "❌", md_cell(c.name), points(c.score),
                       points(c.max_score));
  }
  for (const auto& c : r.checks) {
    if (c.status == checks::Status::Passed) continue;
    out += fmt::format("\n### ❌ {}\n\n{}\n", md_cell(c.name), md_prose(c.feedback));
    size_t n = 0;
    for (const auto& e : c.evidence) {
      if (++n > 10) {
        out += fmt::format("- … and {} more\n", c.evidence.size() - 10);
        break;
      }
      out += fmt::format("{}- [{}] {}{}{} — {}\n", n == 1 ? "\n" : "", md_prose(e.scenario),
                         md_prose(util::process_label(e.process, e.pid)),
                         e.call.empty() ? "" : ": " + md_code(e.call),
                         e.at.empty() ? "" : " at " + md_code(e.at), md_prose(e.detail));
    }
  }
  if (!r.build.usable()) {
    // A fence longer than any run of backticks in the log: a compiler message cannot close it.
    out += "\n### The submission did not build\n\n" +
           md_fenced(util::escape_controls(r.build.log.substr(0, 4000)) + "\n") + "\n";
  }
  for (const auto& s : r.scenarios) {
    if (!scenario_failed(s, r.checks)) continue;
    out += fmt::format("\n### Scenario {}: {}\n\n", md_cell(s.name), run::to_string(s.outcome));
    if (!s.outcome_detail.empty()) out += "> " + md_prose(s.outcome_detail) + "\n\n";
    out += "```mermaid\n" + mermaid_sequence(s, r.checks) + "```\n";
  }
  return out;
}

}  // namespace ipcgrade::report
