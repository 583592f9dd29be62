// System V shared memory: shmget, shmat, shmdt, shmctl.
#include "grader/families/family.hpp"

namespace ipcgrade::families {

namespace {

bool shmget_entry(DecodeContext&, const Registers& a, trace::Event& e) {
  e.values = {{"key", as_int(a[0])},
              {"size", static_cast<long long>(a[1])},
              {"flags", as_int(a[2])},
              {"mode", a[2] & 0777}};
  return true;
}

bool shmat_entry(DecodeContext&, const Registers& a, trace::Event& e) {
  e.values = {{"shmid", as_int(a[0])}, {"shmaddr", static_cast<long long>(a[1])}, {"shmflg", as_int(a[2])}};
  return true;
}
// The address the segment was attached at is what shmdt must be given: the result, as an address.
void shmat_exit(DecodeContext&, const Registers&, long rval, trace::Event& e) {
  e.result.reset();
  e.values["address"] = rval;
}

bool shmdt_entry(DecodeContext&, const Registers& a, trace::Event& e) {
  e.values = {{"shmaddr", static_cast<long long>(a[0])}};
  return false;
}

bool shmctl_entry(DecodeContext&, const Registers& a, trace::Event& e) {
  e.values = {{"shmid", as_int(a[0])}, {"cmd", as_int(a[1]) & ~0x100}};  // without glibc's IPC_64
  return false;
}

constexpr Decoder kDecoders[] = {
    {"shmget", shmget_entry},
    {"shmat", shmat_entry, shmat_exit},
    {"shmdt", shmdt_entry},
    {"shmctl", shmctl_entry},
};

}  // namespace

std::span<const Decoder> sysv_shm::decoders() {
  return kDecoders;
}

}  // namespace ipcgrade::families
