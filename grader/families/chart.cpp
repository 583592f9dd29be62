#include "grader/families/chart.hpp"

#include <sys/ipc.h>

#include "grader/trace/calls.hpp"
#include "grader/trace/spelling.hpp"

namespace ipcgrade::families {

void draw_sysv_get(const trace::Event& e, Chart& chart, trace::ObjectId::Kind kind, std::string_view noun) {
  if (e.failed() || !e.result) return;
  const auto id = trace::ObjectId::sysv(kind, *e.result);
  const bool creating = (e.value("flags") & IPC_CREAT) != 0 && !chart.known(id);
  chart.object(id, fmt::format("{} {}", noun, trace::key_name(e.value("key"))),
               fmt::format("id {}", *e.result));
  chart.to_object(e, id, creating ? e.call + " (create)" : e.call);
}

trace::ObjectId sysv_object(const trace::Event& e, Chart& chart, trace::ObjectId::Kind kind,
                            std::string_view noun, trace::ValueName id_arg) {
  const auto id = trace::ObjectId::sysv(kind, e.value(id_arg));
  chart.object(id, std::string(noun), fmt::format("id {}", e.value(id_arg)));
  return id;
}

void draw_sysv_ctl(const trace::Event& e, Chart& chart, trace::ObjectId::Kind kind, std::string_view noun,
                   trace::ValueName id_arg) {
  const auto id = sysv_object(e, chart, kind, noun, id_arg);
  const auto cmd = e.value("cmd");
  chart.to_object(e, id, trace::spell(trace::spelling_of(e.call, "cmd"), cmd));
  if (cmd == IPC_RMID && !e.failed()) chart.removed(id);
}

}  // namespace ipcgrade::families
