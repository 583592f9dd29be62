#include <fmt/format.h>

#include <cstring>

#include "grader/trace/calls.hpp"
#include "grader/trace/trace.hpp"
#include "grader/util/text.hpp"

namespace ipcgrade::trace {

namespace {
// The first bytes of a write shown in evidence: strace's default string length.
constexpr long long kHeadShown = 24;
}  // namespace

std::string format_call(const trace::Event& call) {
  std::string args;
  if (const CallRow* row = call_row(call.call)) {
    for (const auto& arg : row->args) {
      std::string shown;
      if (arg.spelling == Spelling::Elided || arg.spelling == Spelling::OutStruct) {
        shown = spell(arg.spelling, 0);  // filled by the kernel, or not read: nothing to show at entry
      } else if (arg.spelling == Spelling::MqAttr) {
        shown = call.has("mq_msgsize") ? fmt::format("{{mq_maxmsg={}, mq_msgsize={}}}",
                                                     call.value("mq_maxmsg"), call.value("mq_msgsize"))
                                       : "NULL";
      } else if (arg.spelling == Spelling::SemOps) {
        shown = sem_ops_text(call.sem_ops);
      } else if (arg.spelling == Spelling::Path) {
        const auto it = call.texts.find(arg.name);
        if (it == call.texts.end()) continue;
        shown = "\"" + it->second + "\"";
      } else if (arg.spelling == Spelling::Bytes) {
        const auto it = call.texts.find(arg.name);
        if (it == call.texts.end()) continue;
        // The first bytes written, as strace shows them: "..." after the quote when there is more.
        shown = "\"" + it->second + "\"" + (call.value("count") > kHeadShown ? "..." : "");
      } else if (const auto it = call.values.find(arg.name); it != call.values.end()) {
        shown = spell(arg.spelling, it->second);
      } else {
        continue;
      }
      args += (args.empty() ? "" : ", ") + shown;
    }
  }
  std::string out = fmt::format("{}({})", call.call, args);
  if (call.error) {
    out += fmt::format(" = -1 {}", strerrorname_np(call.error) ? strerrorname_np(call.error) : "error");
  } else if (const auto address = call.values.find("address"); address != call.values.end()) {
    out += " = " + spell(Spelling::Hex, address->second);
  } else if (call.result) {
    out += fmt::format(" = {}", *call.result);
  }
  return out;
}

std::string format_raw(const CallRow& row, const unsigned long long (&a)[6]) {
  std::string args;
  for (size_t i = 0; i < row.args.size() && i < 6; ++i) {
    const Spelling s = row.args[i].spelling;
    // Decimal arguments of these calls are ints (pids, descriptors, signals, operations).
    const long long v = s == Spelling::Decimal ? static_cast<int>(a[i]) : static_cast<long long>(a[i]);
    args += (args.empty() ? "" : ", ") + spell(s, v);
    if (s == Spelling::Elided) break;
  }
  return fmt::format("{}({})", row.name, args);
}

}  // namespace ipcgrade::trace

namespace ipcgrade::trace {

std::string Refusal::describe() const {
  std::string out = fmt::format("{}: {} was refused with {}", util::process_label(process, pid), call, error);
  if (count > 1) out += fmt::format(" ({} times)", count);
  if (!why.empty()) out += ": " + why;
  return out;
}

}  // namespace ipcgrade::trace
