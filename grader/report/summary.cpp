#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "grader/report/render.hpp"
#include "grader/trace/ipc_kind.hpp"
#include "grader/util/text.hpp"

namespace ipcgrade::report {

std::string points(double p) {
  if (std::floor(p) == p) return fmt::format("{}", static_cast<long long>(p));
  return fmt::format("{:.2f}", p);
}

std::string parts_text(const CheckResult& check) {
  std::string out;
  for (const auto& part : check.parts) {
    if (!out.empty()) out += " · ";
    out += fmt::format("{} scenarios {}/{}", config::to_string(part.visibility), points(part.score),
                       points(part.max_score));
  }
  return out;
}

namespace {

struct Palette {
  bool on;
  std::string green() const { return on ? "\033[32m" : ""; }
  std::string red() const { return on ? "\033[31m" : ""; }
  std::string dim() const { return on ? "\033[2m" : ""; }
  std::string bold() const { return on ? "\033[1m" : ""; }
  std::string reset() const { return on ? "\033[0m" : ""; }
};

std::string indent(const std::string& text, const std::string& pad) {
  std::string out = pad;
  for (char c : text) {
    out += c;
    if (c == '\n') out += pad;
  }
  return out;
}

}  // namespace

namespace {

// "msg key 0x00005000 (id 3), made by sh (pid 1000)": a leftover on one line.
std::string describe_leftover(const run::Leftover& l) {
  std::string what(trace::ipc_kind_name(l.kind));
  if (!l.name.empty())
    what += " " + l.name;
  else if (!l.path.empty())
    what += " " + l.path;
  else
    what += fmt::format(" key {} (id {})", format_key(l.key), l.id);
  if (!l.creator.empty()) what += ", made by " + l.creator;
  return what;
}

}  // namespace

namespace {

// `line` (which starts with `indent`) broken at spaces so that no piece passes `width` columns, each
// piece after the first indented two more. A word longer than a line stays whole.
std::string wrapped(const std::string& line, const std::string& indent, size_t width) {
  if (width == 0 || util::columns(line) <= width) return line;
  const std::string more = indent + "  ";
  std::string out, current = indent;
  size_t at = indent.size();
  while (at < line.size()) {
    size_t end = line.find(' ', at);
    if (end == std::string::npos) end = line.size();
    const std::string word = line.substr(at, end - at);
    const bool first_word = current.size() == indent.size() || current.size() == more.size();
    if (!first_word && util::columns(current) + 1 + util::columns(word) > width) {
      out += current + "\n";
      current = more + word;
    } else {
      current += (first_word ? "" : " ") + word;
    }
    at = end + 1;
  }
  return out + current;
}

}  // namespace

std::string summary(const Report& r, bool color, size_t terminal) {
  const Palette c{color};
  std::string out = c.bold() + r.assignment + c.reset();
  if (!r.title.empty()) out += " — " + r.title;
  out += "\n";
  std::string keys;
  for (key_t k : r.keys) keys += (keys.empty() ? "" : ", ") + format_key(k);
  out +=
      c.dim() + fmt::format("student {}{} · isolation {} · build {}", r.student,
                            r.uses_keys ? " · keys " + keys : "", r.mode, build::to_string(r.build.status));
  if (r.build.status != build::BuildStatus::None) out += fmt::format(" ({:.2f} s)", r.build.seconds);
  out += c.reset() + "\n";
  // What the build left is the build's (a Makefile that runs the program, a test target): named, removed,
  // and charged to no check.
  for (size_t i = 0; i < r.build.leftovers.size(); ++i) {
    if (i == 5) {
      out += c.dim() + fmt::format("  ... and {} more\n", r.build.leftovers.size() - 5) + c.reset();
      break;
    }
    const auto& l = r.build.leftovers[i];
    out += c.dim() + "  the build left " + util::one_line(describe_leftover(l)) +
           (l.reclaimed ? " (removed)" : " (could not be removed)") + c.reset() + "\n";
  }
  out += "\n";
  if (!r.build.usable()) {
    out += c.red() + "The submission did not build, so every check below fails with it:" + c.reset() + "\n";
    std::string log = r.build.log.size() > 4000 ? r.build.log.substr(0, 4000) + "\n..." : r.build.log;
    out += indent(log, "    ") + "\n\n";
  }
  // Scores in one column: as wide as the longest name, within reason; a longer name gets a line of its own.
  size_t width = 40;
  for (const auto& ch : r.checks) width = std::max(width, std::min<size_t>(ch.name.size(), 64));
  for (const auto& ch : r.checks) {
    const bool passed = ch.status == checks::Status::Passed;
    const std::string mark = passed ? c.green() + "PASS" + c.reset() : c.red() + "FAIL" + c.reset();
    const std::string score = points(ch.score) + "/" + points(ch.max_score);
    if (ch.name.size() > width)
      out += fmt::format("  {}  {}\n        {:<{}} {:>11}\n", mark, ch.name, "", width - 2, score);
    else
      out += fmt::format("  {}  {:<{}} {:>11}\n", mark, ch.name, width, score);
    // A build that failed failed every check with the same words: said once, above.
    if (ch.status == checks::Status::Failed && r.build.usable()) {
      if (!ch.parts.empty() && ch.score > 0) out += "        " + parts_text(ch) + "\n";  // what was kept
      const std::string& advice = ch.advice ? *ch.advice : ch.feedback;
      if (!advice.empty()) {
        std::string text = indent(util::escape_controls(advice), "        ") + "\n", shown;
        for (size_t at = 0, end; (end = text.find('\n', at)) != std::string::npos; at = end + 1)
          shown += wrapped(text.substr(at, end - at), "        ", terminal) + "\n";
        out += shown;
      }
      size_t shown = 0;
      for (const auto& e : ch.evidence) {
        if (++shown > 5) {
          out += fmt::format("        ... and {} more (all of them: --report FILE or --json)\n",
                             ch.evidence.size() - 5);
          break;
        }
        // "[three clients] client (pid 1001): msgsnd(0, {mtype=1, ...}, 80, 0) at client.c:18 — detail"
        std::string line = fmt::format("[{}] ", e.scenario);
        // A detail that is a sentence about the process ("shout #0 (pid 1000) printed ...") names it already.
        const bool named = e.call.empty() && e.detail.rfind(e.process + " ", 0) == 0;
        if (!e.process.empty() && !named) line += util::process_label(e.process, e.pid) + ": ";
        std::string where = e.call;
        if (!e.at.empty()) where += (where.empty() ? "at " : " at ") + e.at;
        line += where.empty() ? e.detail : where + " — " + e.detail;
        line = util::one_line(line);  // calls, file names and details carry the submission's text
        out += c.dim() + wrapped("        - " + line, "        ", terminal) + c.reset() + "\n";
      }
    }
  }
  out += "\n";
  for (const auto& s : r.scenarios) {
    out += fmt::format("  scenario {:<40} {} in {:.2f} s", "'" + s.name + "'", run::to_string(s.outcome),
                       s.seconds);
    if (!s.outcome_detail.empty()) out += " (" + util::one_line(s.outcome_detail) + ")";
    if (s.trace_dropped > 0)
      out += fmt::format(" [{} calls past the trace limit were counted, not kept]", s.trace_dropped);
    if (!s.leftovers.empty()) {
      size_t reclaimed = 0;
      for (const auto& l : s.leftovers) reclaimed += l.reclaimed ? 1 : 0;
      out += fmt::format(", {} leftover(s), {} reclaimed", s.leftovers.size(), reclaimed);
    }
    if (!s.runs.empty()) {
      // Shown: the run above; the others by outcome and seed.
      std::map<std::string, std::vector<std::uint64_t>> by;
      for (const auto& run : s.runs) by[run::to_string(run.outcome)].push_back(run.seed);
      std::string runs;
      for (const auto& [outcome, seeds] : by)
        runs += fmt::format("{}{} {}", runs.empty() ? "" : ", ", seeds.size(), outcome);
      out += fmt::format(" [{} runs: {}; shown: seed {}]", s.runs.size(), runs, s.seed.value_or(0));
    }
    out += "\n";
    // What the sandbox refused: often the reason the program failed, and not visible any other way.
    for (const auto& f : s.refused)
      out += c.dim() + "        refused: " + util::one_line(f.describe()) + c.reset() + "\n";
  }
  const bool full = r.score == r.max_score && r.all_passed();
  out += "\n" + c.bold() + (full ? c.green() : c.red()) +
         fmt::format("Score: {}/{}", points(r.score), points(r.max_score)) + c.reset() + "\n";
  return out;
}

}  // namespace ipcgrade::report
