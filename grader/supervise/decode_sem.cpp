// System V semaphores: semget, semop, semtimedop, semctl.
#include "grader/supervise/decoders.hpp"

namespace ipcgrade::supervise {

namespace {

bool semget_entry(DecodeContext&, const Registers& a, trace::Event& e) {
  e.values = {{"key", as_int(a[0])}, {"nsems", as_int(a[1])}, {"flags", as_int(a[2])}, {"mode", a[2] & 0777}};
  return true;
}

bool semop_entry(DecodeContext&, const Registers& a, trace::Event& e) {
  e.values = {{"semid", as_int(a[0])}, {"nsops", static_cast<long long>(a[2])}};
  return false;
}

bool semctl_entry(DecodeContext&, const Registers& a, trace::Event& e) {
  e.values = {{"semid", as_int(a[0])}, {"semnum", as_int(a[1])}, {"cmd", as_int(a[2]) & ~0x100}};
  return false;
}

void no_exit(DecodeContext&, const Registers&, long, trace::Event&) {}

constexpr Decoder kDecoders[] = {
    {"semget", semget_entry, no_exit},
    {"semop", semop_entry},
    {"semtimedop", semop_entry},
    {"semctl", semctl_entry},
};

}  // namespace

std::span<const Decoder> sem_decoders() {
  return kDecoders;
}

}  // namespace ipcgrade::supervise
