// System V message queues: msgget, msgsnd, msgrcv, msgctl.
#include "grader/families/family.hpp"

namespace ipcgrade::families {

namespace {

bool msgget_entry(DecodeContext&, const Registers& a, trace::Event& e) {
  e.values = {{"key", as_int(a[0])}, {"flags", as_int(a[1])}, {"mode", a[1] & 0777}};
  return true;
}

bool msgsnd_entry(DecodeContext& ctx, const Registers& a, trace::Event& e) {
  e.values = {{"msqid", as_int(a[0])}, {"msgsz", static_cast<long long>(a[2])}, {"msgflg", as_int(a[3])}};
  if (auto mtype = ctx.memory.value<long>(a[1])) e.values["mtype"] = *mtype;
  return false;
}

bool msgrcv_entry(DecodeContext&, const Registers& a, trace::Event& e) {
  e.values = {{"msqid", as_int(a[0])},
              {"msgsz", static_cast<long long>(a[2])},
              {"msgtyp", static_cast<long>(a[3])},
              {"msgflg", as_int(a[4])}};
  return true;
}
// The exit gives the type actually received (a loop's repeats skip it: see the tracer's fast path).
void msgrcv_exit(DecodeContext& ctx, const Registers& a, long, trace::Event& e) {
  if (auto mtype = ctx.memory.value<long>(a[1])) e.values["received_mtype"] = *mtype;
}

bool msgctl_entry(DecodeContext&, const Registers& a, trace::Event& e) {
  e.values = {{"msqid", as_int(a[0])}, {"cmd", as_int(a[1]) & ~0x100}};  // without glibc's IPC_64
  return false;
}

constexpr Decoder kDecoders[] = {
    {"msgget", msgget_entry},
    {"msgsnd", msgsnd_entry},
    {"msgrcv", msgrcv_entry, msgrcv_exit},
    {"msgctl", msgctl_entry},
};

}  // namespace

std::span<const Decoder> sysv_msg::decoders() {
  return kDecoders;
}

}  // namespace ipcgrade::families
