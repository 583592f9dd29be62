#include "grader/trace/event_json.hpp"

#include <fmt/format.h>

#include "grader/trace/calls.hpp"

namespace ipcgrade::trace {

namespace {

// Where the descriptors of a pipe's other end go in the readable form: a reader holds write ends.
std::string other_ends_name(const Event& e) {
  const CallRow* row = call_row(e.call);
  return row && row->blocks == Blocks::PipeWrite ? "holds_read_end" : "holds_write_end";
}

std::vector<int> parse_fds(const std::string& text) {
  std::vector<int> out;
  for (size_t at = text.find("fd "); at != std::string::npos; at = text.find("fd ", at + 3))
    out.push_back(std::atoi(text.c_str() + at + 3));
  return out;
}

// A value the way the trace file writes it: as the formatter spells it, but a message's type as a number.
Spelling file_spelling(const Event& e, ValueName name) {
  const Spelling s = spelling_of(e.call, name);
  return s == Spelling::MtypeStruct ? Spelling::Decimal : s;
}

void common_to_json(nlohmann::json& j, const Event& e) {
  j = {{"seq", e.seq},           {"kind", kind_name(e.kind)}, {"pid", e.pid},
       {"host_pid", e.host_pid}, {"process", e.process},      {"index", e.index}};
  if (e.parent) j["parent"] = e.parent;
  if (!e.program.empty()) j["program"] = e.program;
  if (!e.judged) j["judged"] = false;
  if (!e.call.empty()) j["call"] = e.call;
  if (e.result) j["result"] = *e.result;
  if (e.error) j["error"] = e.error;
  if (!e.at.empty()) j["at"] = e.at;
  if (e.repeat > 1) j["repeat"] = e.repeat;
}

// A value's name read from a file: one that no event has is an error, where a lookup would answer 0.
ValueName value_name(const nlohmann::json& j, const std::string& key) {
  const auto name = ValueName::parse(key);
  if (!name) throw nlohmann::json::other_error::create(501, "an event has no value named '" + key + "'", &j);
  return *name;
}

void read_args(const nlohmann::json& args, Event& e) {
  for (const auto& [key, item] : args.items()) {
    const std::string text = item.is_string() ? item.get<std::string>() : item.dump();
    if (key == "message_structs") {
      e.message_structs = decode_message_structs(text);
      continue;
    }
    if (key == "sops") {
      if (auto ops = parse_sem_ops(text)) e.sem_ops = std::move(*ops);
      continue;
    }
    if (key == "holds_read_end" || key == "holds_write_end") {
      e.other_ends = parse_fds(text);
      continue;
    }
    const ValueName name = value_name(args, key);
    const Spelling s = file_spelling(e, name);
    if (s == Spelling::Bytes || s == Spelling::Path || s == Spelling::SockAddr) {
      e.texts[name] = text;
    } else if (const auto value = parse(s, text)) {
      e.values[name] = *value;
    } else {
      e.texts[name] = text;  // a note ("refused"), or a value no spelling reads
    }
  }
}

}  // namespace

void to_json(nlohmann::json& j, const Event& e) {
  common_to_json(j, e);
  if (!e.values.empty()) j["values"] = e.values;
  if (!e.texts.empty()) j["texts"] = e.texts;
  if (!e.other_ends.empty()) j["other_ends"] = e.other_ends;
  if (!e.sem_ops.empty()) {
    auto& ops = j["sem_ops"] = nlohmann::json::array();
    for (const auto& op : e.sem_ops) ops.push_back({op.num, op.op, op.flags});
  }
  if (!e.message_structs.empty()) {
    auto& structs = j["structs"] = nlohmann::json::array();
    for (const auto& s : e.message_structs) structs.push_back({s.name, s.size});
  }
}

nlohmann::json readable_json(const Event& e) {
  nlohmann::json j;
  common_to_json(j, e);
  nlohmann::json args = nlohmann::json::object();
  for (const auto& [name, value] : e.values)
    args[std::string(name.str())] = spell(file_spelling(e, name), value);
  for (const auto& [name, text] : e.texts) args[std::string(name.str())] = text;
  if (!e.other_ends.empty()) args[other_ends_name(e)] = fd_list(e.other_ends);
  if (!e.message_structs.empty()) args["message_structs"] = encode_message_structs(e.message_structs);
  if (!e.sem_ops.empty()) args["sops"] = sem_ops_text(e.sem_ops);
  if (!args.empty()) j["args"] = std::move(args);
  return j;
}

void from_json(const nlohmann::json& j, Event& e) {
  e.seq = j.value("seq", std::uint64_t{0});
  const auto kind = parse_kind(j.at("kind").get<std::string>());
  if (!kind) throw nlohmann::json::other_error::create(501, "unknown event kind " + j.at("kind").dump(), &j);
  e.kind = *kind;
  j.at("pid").get_to(e.pid);
  e.host_pid = j.value("host_pid", 0L);
  e.parent = j.value("parent", 0L);
  e.process = j.value("process", std::string());
  e.index = j.value("index", 0);
  e.program = j.value("program", std::string());
  e.judged = j.value("judged", true);
  e.call = j.value("call", std::string());
  if (j.contains("args")) read_args(j.at("args"), e);
  if (j.contains("values")) j.at("values").get_to(e.values);
  if (j.contains("texts")) j.at("texts").get_to(e.texts);
  if (j.contains("other_ends")) j.at("other_ends").get_to(e.other_ends);
  if (j.contains("sem_ops")) {
    for (const auto& op : j.at("sem_ops"))
      e.sem_ops.push_back({op.at(0).get<int>(), op.at(1).get<int>(), op.at(2).get<int>()});
  }
  if (j.contains("structs")) {
    for (const auto& s : j.at("structs"))
      e.message_structs.push_back({s.at(0).get<std::string>(), s.at(1).get<unsigned long>()});
  }
  if (j.contains("result")) e.result = j.at("result").get<long>();
  e.error = j.value("error", 0);
  e.at = j.value("at", std::string());
  e.repeat = j.value("repeat", std::uint64_t{1});
  if (const auto undeclared = undeclared_values(e); !undeclared.empty()) {
    const std::string what =
        e.kind == EventKind::Call ? "the call table's row of " + e.call : "an exit event";
    throw nlohmann::json::other_error::create(501,
                                              fmt::format("a value of event {} is not one {} declares: {}",
                                                          e.seq, what, fmt::join(undeclared, ", ")),
                                              &j);
  }
}

void to_json(nlohmann::json& j, const Refusal& r) {
  j = {{"process", r.process}, {"index", r.index}, {"pid", r.pid},    {"call", r.call},
       {"error", r.error},     {"why", r.why},     {"count", r.count}};
}

void from_json(const nlohmann::json& j, Refusal& r) {
  j.at("process").get_to(r.process);
  j.at("index").get_to(r.index);
  j.at("pid").get_to(r.pid);
  j.at("call").get_to(r.call);
  j.at("error").get_to(r.error);
  j.at("why").get_to(r.why);
  r.count = j.value("count", std::uint64_t{1});
}

}  // namespace ipcgrade::trace
