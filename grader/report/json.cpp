#include <fmt/format.h>

#include <algorithm>

#include "grader/report/render.hpp"
#include "grader/util/signals.hpp"
#include "grader/util/text.hpp"

namespace ipcgrade::report {

using nlohmann::ordered_json;

std::string format_key(long key) {
  return trace::key_hex(key);
}

namespace {

std::string captured(const std::string& text, std::uint64_t cut) {
  std::string out = util::valid_utf8(text);
  if (cut > 0) out += fmt::format("\n[... {} bytes cut ...]\n", cut);
  return out;
}

ordered_json evidence_json(const checks::Evidence& e) {
  ordered_json j;
  j["scenario"] = e.scenario;
  if (!e.process.empty()) j["process"] = e.process;
  if (e.pid > 0) j["pid"] = e.pid;
  if (!e.call.empty()) j["call"] = e.call;
  if (!e.at.empty()) j["at"] = e.at;
  j["detail"] = util::valid_utf8(e.detail);
  if (const checks::Repeats r = checks::repeats_of(e); r.any())
    j["repeats"] = {
        {"calls", r.calls}, {"processes", r.processes}, {"scenarios", r.scenarios}, {"runs", r.runs}};
  return j;
}

ordered_json process_json(const run::ProcessResult& p) {
  ordered_json j;
  j["name"] = p.name;
  j["index"] = p.index;
  j["pid"] = p.started ? ordered_json(p.pid) : ordered_json();
  j["exit"] = p.exit_code ? ordered_json(*p.exit_code) : ordered_json();
  j["signal"] = p.signal ? ordered_json(*p.signal) : ordered_json();
  if (!p.started) j["start_error"] = p.start_error;
  if (p.killed_by_grader) j["killed_by_grader"] = true;
  if (p.sent_signal) j["sent_signal"] = util::signal_name(*p.sent_signal);
  if (p.crash) {
    ordered_json c;
    c["signal"] = util::signal_name(p.crash->signal);
    if (!p.crash->at.empty()) c["at"] = util::valid_utf8(p.crash->at);
    if (p.crash->address) c["address"] = fmt::format("{:#x}", *p.crash->address);
    c["detail"] = util::valid_utf8(p.crash->describe());
    j["crash"] = c;
  }
  j["stdout"] = captured(p.stdout_text, p.stdout_cut);
  j["stderr"] = captured(p.stderr_text, p.stderr_cut);
  return j;
}

ordered_json leftover_json(const run::Leftover& l) {
  ordered_json j;
  j["kind"] = trace::ipc_kind_name(l.kind);
  if (l.name.empty()) {
    j["key"] = format_key(l.key);
    j["id"] = l.id;
  } else {
    j["name"] = util::valid_utf8(l.name);  // POSIX objects and files have a name, no key or id
  }
  j["mode"] = fmt::format("{:04o}", l.mode);
  if (!l.path.empty()) j["bytes"] = l.bytes;
  if (l.kind == trace::IpcKind::MsgQueue) {
    j["bytes"] = l.bytes;
    j["messages"] = l.messages;
  } else if (l.kind == trace::IpcKind::ShmSegment) {
    j["size"] = l.bytes;
    j["attached"] = l.attached;
  } else if (l.kind == trace::IpcKind::SemSet) {
    j["semaphores"] = l.messages;
  }
  j["creator"] = l.creator.empty() ? ordered_json() : ordered_json(l.creator);
  if (!l.call.empty()) j["call"] = l.call;
  if (!l.at.empty()) j["at"] = l.at;
  if (!l.opened_by.empty()) j["opened_by"] = l.opened_by;
  j["reclaimed"] = l.reclaimed;
  if (!l.reclaim_error.empty()) j["reclaim_error"] = l.reclaim_error;
  if (l.cleanup_stopped) j["cleanup_stopped"] = true;
  return j;
}

}  // namespace

std::string cut_line(size_t total) {
  return total <= kListed ? std::string()
                          : fmt::format("\n... and {} more ({} in all)", total - kListed, total);
}

namespace {
// After a list cut at kListed: "<list>_more" (how many are not listed) and "<list>_total".
void note_cut(ordered_json& j, const std::string& list, size_t total) {
  if (total <= kListed) return;
  j[list + "_more"] = total - kListed;
  j[list + "_total"] = total;
}

// A check, or a part of one (its visible or its hidden scenarios): a part names its scenarios.
ordered_json check_json(const CheckResult& c) {
  ordered_json cj;
  if (c.scenarios.empty()) {
    cj["name"] = c.name;
    cj["type"] = c.type;
  } else {
    cj["scenarios"] = c.scenarios;
  }
  cj["score"] = c.score;
  cj["max_score"] = c.max_score;
  cj["status"] = to_string(c.status);
  cj["visibility"] = config::to_string(c.visibility);
  cj["feedback"] = util::valid_utf8(c.feedback);
  ordered_json ev = ordered_json::array();
  for (size_t i = 0; i < std::min(c.evidence.size(), kListed); ++i)
    ev.push_back(evidence_json(c.evidence[i]));
  cj["evidence"] = ev;
  note_cut(cj, "evidence", c.evidence.size());
  if (c.runs > 1) {
    cj["runs"] = c.runs;
    cj["runs_passed"] = c.runs_passed;
    if (c.failing_seed) cj["seed"] = *c.failing_seed;  // of the first run it failed in
  }
  if (!c.parts.empty()) {
    cj["parts"] = ordered_json::array();
    for (const auto& part : c.parts) cj["parts"].push_back(check_json(part));
  }
  return cj;
}
}  // namespace

void valid_strings(ordered_json& j) {
  if (j.is_string()) {
    j = util::valid_utf8(j.get_ref<const std::string&>());
  } else if (j.is_structured()) {
    for (auto& item : j) valid_strings(item);  // the report's own nesting: a few levels deep
  }
}

ordered_json to_json(const Report& r) {
  ordered_json j;
  j["assignment"] = r.assignment;
  if (!r.title.empty()) j["title"] = r.title;
  j["student"] = r.student;
  ordered_json keys = ordered_json::array();
  for (key_t k : r.keys) keys.push_back(format_key(k));
  j["keys"] = keys;
  j["score"] = r.score;
  j["max_score"] = r.max_score;
  if (!r.internal_fault.empty()) j["internal_fault"] = r.internal_fault;
  j["mode"] = r.mode;
  for (const auto& s : r.scenarios) {
    if (s.mode_reason.empty()) continue;
    j["mode_reason"] = s.mode_reason;
    break;
  }
  j["build"] = {{"status", build::to_string(r.build.status)},
                {"seconds", r.build.seconds},
                {"log", util::escape_controls(r.build.log)}};
  if (!r.build.leftovers.empty()) {
    ordered_json left = ordered_json::array();
    for (size_t i = 0; i < std::min(r.build.leftovers.size(), kListed); ++i)
      left.push_back(leftover_json(r.build.leftovers[i]));
    j["build"]["leftovers"] = left;
    note_cut(j["build"], "leftovers", r.build.leftovers.size());
  }
  ordered_json skipped = ordered_json::array();
  for (const auto& s : r.submission.skipped)
    skipped.push_back({{"path", util::escape_controls(s.path)}, {"kind", s.kind}, {"why", s.why}});
  j["submission"] = {{"bytes", r.submission.bytes}, {"files", r.submission.files}, {"skipped", skipped}};
  ordered_json checks = ordered_json::array();
  for (const auto& c : r.checks) checks.push_back(check_json(c));
  j["checks"] = checks;
  ordered_json scenarios = ordered_json::array();
  for (const auto& s : r.scenarios) {
    ordered_json sj;
    sj["name"] = s.name;
    sj["visibility"] = config::to_string(s.visibility);
    sj["outcome"] = run::to_string(s.outcome);
    if (!s.outcome_detail.empty()) sj["outcome_detail"] = s.outcome_detail;
    if (!s.blocked.empty()) {
      sj["blocked"] = ordered_json::array();
      for (const auto& b : s.blocked)
        sj["blocked"].push_back(
            {{"pid", b.pid}, {"call", b.call}, {"object", util::valid_utf8(b.object.key())}});
    }
    sj["seconds"] = s.seconds;
    if (s.seed) sj["seed"] = *s.seed;
    if (!s.runs.empty()) {
      sj["runs"] = ordered_json::array();
      for (const auto& run : s.runs)
        sj["runs"].push_back(
            {{"seed", run.seed}, {"outcome", run::to_string(run.outcome)}, {"seconds", run.seconds}});
    }
    if (!s.enforced.empty()) {
      ordered_json enforced;
      for (const auto& [limit, how] : s.enforced) enforced[limit] = how;
      sj["enforced"] = enforced;
    }
    ordered_json procs = ordered_json::array();
    for (const auto& p : s.processes) procs.push_back(process_json(p));
    sj["processes"] = procs;
    ordered_json left = ordered_json::array();
    for (size_t i = 0; i < std::min(s.leftovers.size(), kListed); ++i)
      left.push_back(leftover_json(s.leftovers[i]));
    sj["leftovers"] = left;
    note_cut(sj, "leftovers", s.leftovers.size());
    if (s.leftovers.size() > kListed) {  // what the list no longer shows one by one
      sj["leftovers_reclaimed"] = std::count_if(s.leftovers.begin(), s.leftovers.end(),
                                                [](const run::Leftover& l) { return l.reclaimed; });
    }
    if (s.trace_dropped > 0) sj["trace_dropped"] = s.trace_dropped;
    if (!s.survivors.empty()) {
      ordered_json survivors = ordered_json::array();
      for (size_t i = 0; i < std::min(s.survivors.size(), kListed); ++i) {
        const auto& v = s.survivors[i];
        survivors.push_back({{"name", v.name}, {"index", v.index}, {"pid", v.pid}});
      }
      sj["survivors"] = survivors;
      note_cut(sj, "survivors", s.survivors.size());
    }
    if (!s.refused.empty()) {
      ordered_json refused = ordered_json::array();
      for (size_t i = 0; i < std::min(s.refused.size(), kListed); ++i) {
        const auto& f = s.refused[i];
        refused.push_back({{"process", f.process},
                           {"index", f.index},
                           {"pid", f.pid},
                           {"call", util::valid_utf8(f.call)},
                           {"error", f.error},
                           {"why", util::valid_utf8(f.why)},
                           {"count", f.count}});
      }
      sj["refused"] = refused;
      note_cut(sj, "refused", s.refused.size());
    }
    scenarios.push_back(sj);
  }
  j["scenarios"] = scenarios;
  valid_strings(j);
  return j;
}

}  // namespace ipcgrade::report
