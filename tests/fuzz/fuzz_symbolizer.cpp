// The frame walk that turns a system call's registers into "client.c:18", on a mutated binary: the ELF
// header, the symbol table, the line table and the call-frame information are all the submission's own.
// The input is a few bytes of registers and memory, then the binary. Any bytes: a name or nothing, never
// a crash or a hang.
#include <sys/user.h>

#include <cstdint>
#include <cstring>

#include "grader/tracer/symbolizer.hpp"
#include "tests/fuzz/fuzz_file.hpp"

namespace {

constexpr unsigned long kLoad = 0x400000;  // where the binary is "mapped"
constexpr size_t kHeader = 16;             // pc offset (8 bytes), memory seed (8 bytes)

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  if (size < kHeader) return 0;
  std::uint64_t pc_offset = 0, seed = 0;
  std::memcpy(&pc_offset, data, 8);
  std::memcpy(&seed, data + 8, 8);
  const auto file = ipcgrade::fuzz::input_file(data + kHeader, size - kHeader, "own/program");
  const unsigned long length = size - kHeader + 1;

  user_regs_struct regs{};
  regs.rip = kLoad + pc_offset % length;
  regs.rsp = 0x7ff000000000;
  regs.rbp = regs.rsp + 0x40;
  // The "stack": every word reads as an address back into the binary or as junk, from the seed, so a
  // walk can go on for as many frames as the call-frame information says.
  const auto read = [seed, length](unsigned long address) -> std::optional<unsigned long> {
    const unsigned long mixed = (address ^ seed) * 0x9e3779b97f4a7c15ULL;
    if (mixed % 7 == 0) return std::nullopt;
    return mixed % 3 == 0 ? mixed : kLoad + mixed % length;
  };
  // A new symbolizer per input: it keeps each file it opened, and the file is rewritten for the next.
  ipcgrade::tracer::Symbolizer symbolizer(file.parent_path().string());
  (void)symbolizer.walk({{kLoad, kLoad + length, 0, file.string()}}, regs, read);
  return 0;
}
