#include "grader/trace/calls.hpp"
#include "grader/trace/trace.hpp"

namespace ipcgrade::trace {

// What an exit event holds: how the process ended, where it crashed, and the children it never reaped.
const std::vector<Arg>& exit_values() {
  static const std::vector<Arg> values = {
      {"code"}, {"signal"}, {"crash"}, {"crash_address", Spelling::Hex}, {"crash_at"}, {"unreaped"}};
  return values;
}

namespace {

bool declared(const std::vector<Arg>& list, ValueName name) {
  return std::any_of(list.begin(), list.end(), [&](const Arg& arg) { return arg.name == name; });
}

}  // namespace

std::vector<std::string_view> undeclared_values(const Event& e) {
  const CallRow* row = e.kind == EventKind::Call ? call_row(e.call) : nullptr;
  const auto known = [&](ValueName name) {
    if (e.kind == EventKind::Exit) return declared(exit_values(), name);
    // Any call the guard refuses carries the refusal's note.
    return row &&
           (name == ValueName("refused") || declared(row->args, name) || declared(row->recorded, name));
  };
  std::vector<std::string_view> out;
  for (const auto& [name, value] : e.values) {
    if (!known(name)) out.push_back(name.str());
  }
  for (const auto& [name, text] : e.texts) {
    if (!known(name)) out.push_back(name.str());
  }
  return out;
}

}  // namespace ipcgrade::trace
