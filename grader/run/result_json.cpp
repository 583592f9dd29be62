#include "grader/run/result_json.hpp"
#include "grader/util/signals.hpp"
#include "grader/util/text.hpp"

#include <signal.h>

#include <fmt/format.h>

namespace ipcgrade::run {

std::string to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::Completed:
      return "completed";
    case Outcome::Timeout:
      return "timeout";
    case Outcome::Deadlock:
      return "deadlock";
    case Outcome::Limit:
      return "limit";
    case Outcome::CrashedGrader:
      return "crashed-grader";
  }
  return "crashed-grader";
}

Outcome outcome_from_string(const std::string& text) {
  for (Outcome o : {Outcome::Completed, Outcome::Timeout, Outcome::Deadlock, Outcome::Limit}) {
    if (to_string(o) == text) return o;
  }
  return Outcome::CrashedGrader;
}

void to_json(nlohmann::json& j, const ProcessResult& p) {
  j = {{"name", p.name},
       {"index", p.index},
       {"argv", p.argv},
       {"pid", p.pid},
       {"host_pid", p.host_pid},
       {"started", p.started},
       {"start_error", p.start_error},
       {"never_reached", p.never_reached},
       {"exit", p.exit_code ? nlohmann::json(*p.exit_code) : nlohmann::json()},
       {"signal", p.signal ? nlohmann::json(*p.signal) : nlohmann::json()},
       {"killed_by_grader", p.killed_by_grader},
       {"sent_signal", p.sent_signal ? nlohmann::json(*p.sent_signal) : nlohmann::json()},
       {"crash", p.crash ? nlohmann::json{{"signal", p.crash->signal},
                                          {"at", p.crash->at},
                                          {"address", p.crash->address ? nlohmann::json(*p.crash->address)
                                                                       : nlohmann::json()}}
                         : nlohmann::json()},
       // Output may hold any bytes; JSON strings must be UTF-8, so carry it as a byte array.
       {"stdout",
        nlohmann::json::binary_t(std::vector<std::uint8_t>(p.stdout_text.begin(), p.stdout_text.end()))},
       {"stderr",
        nlohmann::json::binary_t(std::vector<std::uint8_t>(p.stderr_text.begin(), p.stderr_text.end()))},
       {"stdout_cut", p.stdout_cut},
       {"stderr_cut", p.stderr_cut}};
}

void from_json(const nlohmann::json& j, ProcessResult& p) {
  j.at("name").get_to(p.name);
  j.at("index").get_to(p.index);
  j.at("argv").get_to(p.argv);
  j.at("pid").get_to(p.pid);
  j.at("host_pid").get_to(p.host_pid);
  j.at("started").get_to(p.started);
  j.at("start_error").get_to(p.start_error);
  if (j.contains("never_reached")) j.at("never_reached").get_to(p.never_reached);
  if (!j.at("exit").is_null()) p.exit_code = j.at("exit").get<int>();
  if (!j.at("signal").is_null()) p.signal = j.at("signal").get<int>();
  j.at("killed_by_grader").get_to(p.killed_by_grader);
  if (j.contains("sent_signal") && !j.at("sent_signal").is_null())
    p.sent_signal = j.at("sent_signal").get<int>();
  if (j.contains("crash") && !j.at("crash").is_null()) {
    const auto& c = j.at("crash");
    Crash crash;
    c.at("signal").get_to(crash.signal);
    c.at("at").get_to(crash.at);
    if (!c.at("address").is_null()) crash.address = c.at("address").get<unsigned long long>();
    p.crash = crash;
  }
  const auto& out = j.at("stdout").get_binary();
  const auto& err = j.at("stderr").get_binary();
  p.stdout_text.assign(out.begin(), out.end());
  p.stderr_text.assign(err.begin(), err.end());
  j.at("stdout_cut").get_to(p.stdout_cut);
  j.at("stderr_cut").get_to(p.stderr_cut);
}

void to_json(nlohmann::json& j, const Leftover& l) {
  j = {{"kind", trace::ipc_kind_name(l.kind)},
       {"key", l.key},
       {"id", l.id},
       {"mode", l.mode},
       {"bytes", l.bytes},
       {"messages", l.messages},
       {"attached", l.attached},
       {"creator_pid", l.creator_pid},
       {"creator", l.creator},
       {"creator_process", l.creator_process},
       {"call", l.call},
       {"at", l.at},
       {"opened_by", l.opened_by},
       {"reclaimed", l.reclaimed},
       {"reclaim_error", l.reclaim_error},
       {"cleanup_stopped", l.cleanup_stopped},
       {"name", l.name},
       {"path", l.path},
       {"uid", l.uid},
       {"cuid", l.cuid},
       {"created", l.created}};
}

void from_json(const nlohmann::json& j, Leftover& l) {
  const auto kind = trace::parse_ipc_kind(j.at("kind").get<std::string>());
  if (!kind)
    throw nlohmann::json::other_error::create(501, "unknown leftover kind " + j.at("kind").dump(), &j);
  l.kind = *kind;
  j.at("key").get_to(l.key);
  j.at("id").get_to(l.id);
  j.at("mode").get_to(l.mode);
  j.at("bytes").get_to(l.bytes);
  j.at("messages").get_to(l.messages);
  j.at("attached").get_to(l.attached);
  j.at("creator_pid").get_to(l.creator_pid);
  j.at("creator").get_to(l.creator);
  j.at("creator_process").get_to(l.creator_process);
  j.at("call").get_to(l.call);
  j.at("at").get_to(l.at);
  j.at("opened_by").get_to(l.opened_by);
  j.at("reclaimed").get_to(l.reclaimed);
  j.at("reclaim_error").get_to(l.reclaim_error);
  l.cleanup_stopped = j.value("cleanup_stopped", false);
  l.name = j.value("name", "");
  l.path = j.value("path", "");
  l.uid = j.value("uid", -1L);
  l.cuid = j.value("cuid", -1L);
  l.created = j.value("created", 0LL);
}

std::string Crash::describe() const {
  std::string text = util::signal_name(signal);
  if (!at.empty()) text += " at " + at;
  if (address) {
    text += fmt::format(" (address {:#x})", *address);
  } else if (signal == SIGPIPE) {
    text += " (it wrote to a pipe or FIFO that no process has open for reading)";
  } else if (signal == SIGABRT) {
    text += " (abort(): a failed assert, or the C library found its memory corrupted)";
  }
  return text;
}

std::optional<Crash> crash_of(const trace::Event& exit) {
  if (exit.kind != trace::EventKind::Exit || !exit.values.count("crash")) return std::nullopt;
  Crash c;
  c.signal = static_cast<int>(exit.value("crash"));
  if (auto at = exit.texts.find("crash_at"); at != exit.texts.end()) c.at = at->second;
  if (exit.values.count("crash_address"))
    c.address = static_cast<unsigned long long>(exit.value("crash_address"));
  return c;
}

std::string Survivor::describe() const {
  return util::process_label(name, pid) + " was still running when the scenario ended and was killed";
}

void to_json(nlohmann::json& j, const Survivor& s) {
  j = {{"name", s.name}, {"index", s.index}, {"pid", s.pid}};
}

void from_json(const nlohmann::json& j, Survivor& s) {
  j.at("name").get_to(s.name);
  j.at("index").get_to(s.index);
  j.at("pid").get_to(s.pid);
}

void to_json(nlohmann::json& j, const ScenarioResult& s) {
  j = {{"name", s.name},
       {"visibility", config::to_string(s.visibility)},
       {"outcome", to_string(s.outcome)},
       {"outcome_detail", s.outcome_detail},
       {"seconds", s.seconds},
       {"mode", s.mode},
       {"enforced", s.enforced},
       {"mode_reason", s.mode_reason},
       {"sandbox_refused", s.sandbox_refused},
       {"processes", s.processes},
       {"leftovers", s.leftovers},
       {"survivors", s.survivors},
       {"trace_dropped", s.trace_dropped},
       {"refused", s.refused},
       {"blocked", nlohmann::json::array()},
       {"stopped", s.stopped},
       {"trace", s.trace.events}};
  for (const auto& b : s.blocked)
    j["blocked"].push_back({{"pid", b.pid}, {"call", b.call}, {"object", b.object.key()}});
  if (s.seed) j["seed"] = *s.seed;
  if (s.observer_lost) j["observer_lost"] = s.observer_lost;
}

void from_json(const nlohmann::json& j, ScenarioResult& s) {
  j.at("name").get_to(s.name);
  s.visibility = j.at("visibility") == "hidden" ? config::Visibility::Hidden : config::Visibility::Visible;
  s.outcome = outcome_from_string(j.at("outcome").get<std::string>());
  j.at("outcome_detail").get_to(s.outcome_detail);
  j.at("seconds").get_to(s.seconds);
  j.at("mode").get_to(s.mode);
  s.enforced = j.value("enforced", std::map<std::string, std::string>{});
  s.mode_reason = j.value("mode_reason", "");
  s.sandbox_refused = j.value("sandbox_refused", false);
  j.at("processes").get_to(s.processes);
  j.at("leftovers").get_to(s.leftovers);
  if (j.contains("survivors")) j.at("survivors").get_to(s.survivors);
  s.trace_dropped = j.value("trace_dropped", std::uint64_t{0});
  s.observer_lost = j.value("observer_lost", std::uint64_t{0});
  if (j.contains("refused")) j.at("refused").get_to(s.refused);
  if (j.contains("seed")) s.seed = j.at("seed").get<std::uint64_t>();
  for (const auto& b : j.value("blocked", nlohmann::json::array()))
    s.blocked.push_back({b.at("pid").get<long>(), b.at("call").get<std::string>(),
                         trace::ObjectId::parse(b.at("object").get<std::string>())});
  s.stopped = j.value("stopped", std::vector<long>{});
  j.at("trace").get_to(s.trace.events);
}

}  // namespace ipcgrade::run
