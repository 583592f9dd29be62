#pragma once
// The decoders: for each call of the call table (grader/trace/calls.hpp) that the tracer records, what
// its arguments mean and how it moves descriptors. One file per family, entry and exit side by side, in
// the manner of strace's ipc_msg.c: grader/families/<family>/decode.cpp. They read registers and memory
// through DecodeContext only, so that unit tests decode hand-made registers and memory with no process
// running.
#include <chrono>
#include <span>

#include "grader/families/fd_table.hpp"
#include "grader/families/tracee_memory.hpp"
#include "grader/trace/calls.hpp"
#include "grader/trace/trace.hpp"

namespace ipcgrade::families {

using Registers = unsigned long long[6];

// What a decoder may read and change: the caller's memory and files, its descriptor table, the run's
// pipe counter, when the caller's timer fires, and the run's FIFOs and semaphore temporaries.
struct DecodeContext {
  const Memory& memory;
  FdTable& fds;
  long& next_pipe;
  std::chrono::steady_clock::time_point& timer_until;
  RunNames& names;
};

// Fills `event` from the call's entry (an event left without a call name is not recorded: a close of a
// file, a read of a socket). For Exit::IfDecoded rows, returns whether the exit is needed; other rows'
// exits are the table's to say.
using EntryDecoder = bool (*)(DecodeContext& ctx, const Registers& args, trace::Event& event);
// Completes the event at a successful exit with the call's return value.
using ExitDecoder = void (*)(DecodeContext& ctx, const Registers& args, long rval, trace::Event& event);

struct Decoder {
  std::string_view call;  // the call table's row name
  EntryDecoder entry = nullptr;
  ExitDecoder exit = nullptr;    // for Exit::Always and Exit::IfDecoded rows
  ExitDecoder failed = nullptr;  // at a failed exit (rval is -errno): may leave the event unrecorded
};

// The decoder of system call `nr`, or null for a call with nothing to decode.
const Decoder* decoder_for(int nr);

// Decodes a call's entry: the event's call name and values. Returns whether its exit is needed.
bool decode_entry(DecodeContext& ctx, int nr, const Registers& args, trace::Event& event);
// Completes a call at its exit: the result or error, and what the decoder reads then.
void decode_exit(DecodeContext& ctx, int nr, const Registers& args, long rval, bool is_error,
                 trace::Event& event);

// Integer arguments live in the low half of their register.
inline int as_int(unsigned long long v) {
  return static_cast<int>(static_cast<std::int32_t>(v));
}

}  // namespace ipcgrade::families
