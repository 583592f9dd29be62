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
  if (!call.exit) {
    record_entry(p, *row, call.nr, call.args, memory);
  } else if (p.observed_pending && p.observed_pending->nr == call.nr) {
    Pending pending = std::move(*p.observed_pending);
    p.observed_pending.reset();
    const bool is_error = call.ret < 0 && call.ret >= -4095;
    complete_exit(p, std::move(pending), static_cast<long>(call.ret), is_error, memory);
  }
  observed_ = nullptr;
}

std::string Tracer::observed_site(Proc& p, const observer::ObservedCall& call) {
  // Its program is already replaced: the old memory map is known only if it was read before. Without
  // it the call has no line, never one found in the new program.
  if (p.host_pid == execing_ && !symbolizer_.knows_map(p.host_pid)) return {};
  const std::uint64_t sp = call.regs[19];  // rsp
  return symbolizer_.call_site(p.host_pid, registers_of(call),
                               [&](unsigned long address) -> std::optional<unsigned long> {
                                 if (address < sp || address + sizeof(unsigned long) > sp + call.stack_length)
                                   return std::nullopt;
                                 unsigned long word;
                                 std::memcpy(&word, call.stack + (address - sp), sizeof word);
                                 return word;
                               });
}

}  // namespace ipcgrade::tracer
