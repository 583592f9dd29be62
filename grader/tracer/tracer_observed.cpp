// The tracer's side of the BPF observer: the records of observed calls, decoded as the stops of the
// same calls would be (tracer.cpp's record_entry and complete_exit), with the caller's memory the
// observer copied standing for the process's own.
#include <sys/user.h>

#include <cstring>

#include "grader/tracer/observed_memory.hpp"
#include "grader/tracer/tracer_state.hpp"

namespace ipcgrade::tracer {

namespace {

// The registers the observer copied (struct pt_regs: user_regs_struct's first 21 fields, in order).
user_regs_struct registers_of(const observer::ObservedCall& call) {
  user_regs_struct regs{};
  static_assert(sizeof(call.regs) <= sizeof(regs));
  std::memcpy(&regs, call.regs, sizeof(call.regs));
  return regs;
}

}  // namespace

void Tracer::drain_observed() {
  if (!observer_) return;
  observer_->drain([this](const observer::ObservedCall& call) { on_observed(call); });
}

void Tracer::on_observed(const observer::ObservedCall& call) {
  const auto it = procs_.find(static_cast<pid_t>(call.tid));
  const trace::CallRow* row = trace::call_row(call.nr);
  if (it == procs_.end() || !row) return;
  Proc& p = *it->second;
  const ObservedMemory memory(call);
  observed_ = &call;
  observed_walk_.reset();
  if (call.exit == IPCGRADE_RECORD_ENTRY || call.exit == IPCGRADE_RECORD_REPEAT) {
    // An entry, or a repeat of one: the same call again, decoded and folded as a stop of it would be.
    record_entry(p, *row, call.nr, call.args, memory);
  } else if (p.observed_pending && p.observed_pending->nr == call.nr) {
    Pending pending = std::move(*p.observed_pending);
    p.observed_pending.reset();
    const bool is_error = call.ret < 0 && call.ret >= -4095;
    complete_exit(p, std::move(pending), static_cast<long>(call.ret), is_error, memory);
  }
  if ((call.exit == IPCGRADE_RECORD_ENTRY || call.exit == IPCGRADE_RECORD_EXIT) && call.gen != 0)
    allow_repeats(p, call);
  observed_ = nullptr;
}

std::string Tracer::observed_site(Proc& p, const observer::ObservedCall& call,
                                  Symbolizer::WalkInputs* inputs) {
  // Its program is already replaced: the old memory map is known only if it was read before. Without
  // it the call has no line, never one found in the new program.
  if (p.host_pid == execing_ && !symbolizer_.knows_map(p.host_pid)) {
    if (inputs) inputs->only_ip_sp_bp = false;  // an answer that depends on when the record is read
    return {};
  }
  const ObservedMemory memory(call);
  return symbolizer_.call_site(
      p.host_pid, registers_of(call), [&](unsigned long address) { return memory.stack_word(address); },
      inputs);
}

// The rule by which the observer may write a whole entry again as a repeat: what its walk to a call
// site read. A process not judged has no call sites (emit_call places no call of it): there, the
// arguments, bytes and pointers alone decide. Where the walk read a word outside the piece of stack or
// used another register, the entry gets no rule and is never repeated: a call equal in everything the
// program compares could still be placed elsewhere.
void Tracer::allow_repeats(Proc& p, const observer::ObservedCall& call) {
  std::uint32_t words = 0;
  if (p.judged) {
    if (!observed_walk_) observed_site(p, call, &observed_walk_.emplace());
    const Symbolizer::WalkInputs& inputs = *observed_walk_;
    if (!inputs.only_ip_sp_bp) return;
    const std::uint64_t sp = call.regs[19];
    // A word outside the piece was unreadable to the walk, as it is for any call with the same stack
    // pointer and piece (both compared); one inside is compared, both words where it straddles two.
    for (const unsigned long address : inputs.reads) {
      if (address < sp || address - sp >= call.stack_length) continue;
      const unsigned long offset = address - sp;
      for (unsigned long word = offset / 8; word <= (offset + 7) / 8 && word < IPCGRADE_REPEAT_WORDS; ++word)
        words |= 1u << word;
    }
  }
  observer_->allow_repeats(call, words);
}

}  // namespace ipcgrade::tracer
