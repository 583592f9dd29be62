// Every decoder fed random registers and tracee memory: the first bytes choose a traced call and its six
// arguments, the rest is memory at the addresses those arguments hold (and the exit's result). The
// decoded event is then spelled, as evidence would. Nothing may crash.
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "grader/families/decoders.hpp"
#include "grader/trace/calls.hpp"
#include "grader/trace/trace.hpp"
#include "tests/fake_memory.hpp"

using namespace ipcgrade;
using namespace ipcgrade::families;

namespace {

struct Input {
  const std::uint8_t* data;
  size_t size;
  std::uint64_t take(size_t bytes) {
    std::uint64_t v = 0;
    const size_t n = std::min(bytes, size);
    std::memcpy(&v, data, n);
    data += n;
    size -= n;
    return v;
  }
};

const std::vector<int>& traced_calls() {
  static const std::vector<int> calls = [] {
    std::vector<int> out;
    for (const auto& row : trace::call_table())
      if (row.nr >= 0) out.push_back(row.nr);
    return out;
  }();
  return calls;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  Input in{data, size};
  const auto& calls = traced_calls();
  const int nr = calls[in.take(2) % calls.size()];
  Registers args{};
  for (auto& a : args) {
    // Small values and a few addresses: descriptors, flags, sizes and pointers into the memory below.
    const std::uint64_t raw = in.take(4);
    a = raw & 1 ? 0x1000 + (raw >> 1) % 0x100 : raw >> 1;
  }
  FakeMemory memory;
  memory.put_bytes(0x1000, std::string(reinterpret_cast<const char*>(in.data), in.size));
  memory.fd_files[static_cast<int>(args[0] & 0xff)] = FileId{1, 2, 0010644};
  memory.path_files["fifo"] = FileId{1, 3, 0010600};
  memory.fd_paths[static_cast<int>(args[0] & 0xff)] = "/dev/shm/x";
  FdTable fds;
  long next_pipe = 1;
  std::chrono::steady_clock::time_point timer{};
  RunNames names;
  DecodeContext ctx{memory, fds, next_pipe, timer, names};
  trace::Event event;
  event.call = std::string(trace::call_row(nr) ? trace::call_row(nr)->name : "");
  const bool wants_exit = decode_entry(ctx, nr, args, event);
  if (wants_exit) {
    const long rval = static_cast<long>(args[5] % 8) - 2;
    decode_exit(ctx, nr, args, rval, rval < 0, event);
  }
  if (!event.call.empty()) (void)trace::format_call(event);
  // Every value a decoder records is one its row declares: a trace file holding another would not load.
  if (!event.call.empty() && !trace::undeclared_values(event).empty()) __builtin_trap();
  return 0;
}
