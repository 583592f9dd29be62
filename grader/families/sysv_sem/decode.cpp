// System V semaphores: semget, semop, semtimedop, semctl.
#include <sys/sem.h>

#include <algorithm>
#include <cstring>

#include "grader/families/family.hpp"

namespace ipcgrade::families {

namespace {

bool semget_entry(DecodeContext&, const Registers& a, trace::Event& e) {
  e.values = {{"key", as_int(a[0])}, {"nsems", as_int(a[1])}, {"flags", as_int(a[2])}, {"mode", a[2] & 0777}};
  return true;
}

// The operations, read from the caller's memory: which semaphore, what is added, with which flags.
bool semop_entry(DecodeContext& ctx, const Registers& a, trace::Event& e) {
  // glibc makes semop() a semtimedop() without a timeout: the evidence names the call the student wrote.
  if (e.call == "semtimedop" && a[3] == 0) e.call = "semop";
  e.values = {{"semid", as_int(a[0])}, {"nsops", static_cast<long long>(a[2])}};
  const size_t n = std::min<size_t>(a[2], trace::kMaxSemOps);
  const std::string bytes = ctx.memory.read(a[1], n * sizeof(sembuf));
  for (size_t i = 0; i + 1 <= bytes.size() / sizeof(sembuf); ++i) {
    sembuf op{};
    std::memcpy(&op, bytes.data() + i * sizeof(sembuf), sizeof(sembuf));
    e.sem_ops.push_back({op.sem_num, op.sem_op, op.sem_flg});
  }
  return false;
}

// SETVAL passes its value in the fourth register (union semun by value); the other commands' fourth
// argument is a pointer or nothing.
bool semctl_entry(DecodeContext&, const Registers& a, trace::Event& e) {
  const int cmd = as_int(a[2]) & ~0x100;  // without glibc's IPC_64
  e.values = {{"semid", as_int(a[0])}, {"semnum", as_int(a[1])}, {"cmd", cmd}};
  if (cmd == SETVAL) e.values["value"] = as_int(a[3]);
  return false;
}

constexpr Decoder kDecoders[] = {
    {"semget", semget_entry},
    {"semop", semop_entry},
    {"semtimedop", semop_entry},
    {"semctl", semctl_entry},
};

}  // namespace

std::span<const Decoder> sysv_sem::decoders() {
  return kDecoders;
}

}  // namespace ipcgrade::families
