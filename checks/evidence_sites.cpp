// Evidence grouped by call site. A fault at one line of the student's code shows once per process that
// runs it, per scenario and per run, and once per turn of a loop: one mistake, listed (and, with
// `per_violation`, charged) once, with a count of where else it showed.
#include <fmt/format.h>

#include <cctype>
#include <map>
#include <set>

#include "checks/check.hpp"

namespace ipcgrade::checks {

namespace {

// The fault without its numbers (pids, ids, keys, sizes, addresses): "msgsz # counts the long mtype".
std::string without_numbers(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (!std::isdigit(c)) {
      out += text[i];
      continue;
    }
    if (text[i] == '0' && i + 1 < text.size() && (text[i + 1] == 'x' || text[i + 1] == 'X')) ++i;
    while (i + 1 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1]))) ++i;
    out += '#';
  }
  return out;
}

// The fault without the process's label ("client #1 (pid 1002)"): what it printed, how it ended, is kept
// to the byte.
std::string without_pids(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    // "#<digits>" and "pid <digits>": the instance and the pid, which differ from process to process.
    const size_t digits_at = text[i] == '#'                    ? i + 1
                             : text.compare(i, 4, "pid ") == 0 ? i + 4
                                                               : std::string::npos;
    if (digits_at < text.size() && std::isdigit(static_cast<unsigned char>(text[digits_at]))) {
      size_t end = digits_at;
      while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
      out += '#';
      i = end - 1;
      continue;
    }
    out += text[i];
  }
  return out;
}

// What makes two pieces the same. Where the line is known: the line, the call and the fault, numbers
// aside (one line that takes semaphore n without SEM_UNDO is one mistake, whichever n). Where it is
// not (no debug information): the same call with the same arguments and the same fault. Evidence that
// is not a call (an exit, an output) is the process's, by name, with the same fault.
std::string site_of(const Evidence& e) {
  // Who else opened a leftover differs from scenario to scenario (three clients, two): not the fault.
  const std::string fault = e.detail.substr(0, e.detail.find("; also opened by "));
  if (!e.at.empty()) return e.at + "|" + e.call.substr(0, e.call.find('(')) + "|" + without_numbers(fault);
  if (!e.call.empty()) return "|" + e.call + "|" + fault;
  return "||" + e.process + "|" + without_pids(fault);
}

}  // namespace

void group_by_site(std::vector<Evidence>& evidence) {
  std::vector<Evidence> out;
  std::map<std::string, size_t> index;
  for (auto& e : evidence) {
    const auto [it, added] = index.try_emplace(site_of(e), out.size());
    if (added) {
      out.push_back(std::move(e));
      continue;
    }
    Evidence& first = out[it->second];
    first.also.push_back({e.scenario, e.pid, e.call});
    first.also.insert(first.also.end(), e.also.begin(), e.also.end());
    first.runs = std::max(first.runs, e.runs);
  }
  evidence = std::move(out);
}

void merge_run(std::vector<Evidence>& evidence, const std::vector<Evidence>& other) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < evidence.size(); ++i) index.emplace(site_of(evidence[i]), i);
  for (const auto& e : other) {
    const auto it = index.find(site_of(e));
    if (it == index.end()) {
      index.emplace(site_of(e), evidence.size());
      evidence.push_back(e);
    } else {
      ++evidence[it->second].runs;
    }
  }
}

Repeats repeats_of(const Evidence& e) {
  std::set<std::pair<std::string, long>> processes = {{e.scenario, e.pid}};
  std::set<std::string> scenarios = {e.scenario};
  for (const auto& p : e.also) {
    processes.insert({p.scenario, p.pid});
    scenarios.insert(p.scenario);
  }
  return {e.also.size() + 1, processes.size(), scenarios.size(), e.runs};
}

std::string repeats_text(const Evidence& e) {
  const Repeats r = repeats_of(e);
  std::vector<std::string> parts;
  if (r.calls > r.processes) parts.push_back(fmt::format("{} calls", r.calls));
  // One process in each scenario (the same program's run of each) is said by the scenarios alone.
  if (r.processes > 1 && r.processes != r.scenarios)
    parts.push_back(fmt::format("{} processes", r.processes));
  if (r.scenarios > 1) parts.push_back(fmt::format("{} scenarios", r.scenarios));
  if (r.runs > 1) parts.push_back(fmt::format("{} runs", r.runs));
  if (parts.empty()) return {};
  std::string out = "× " + parts.front();
  for (size_t i = 1; i < parts.size(); ++i) out += ", " + parts[i];
  return out;
}

}  // namespace ipcgrade::checks
