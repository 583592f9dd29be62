// Which tracer follows a scenario's calls: the BPF observer beside ptrace, or ptrace alone; and the
// report's `enforced.tracer` line saying which and why.
#include <fmt/format.h>

#include <cstdlib>

#include "grader/runner/supervisor.hpp"

namespace ipcgrade::runner {

namespace {

// The observer's ring: a test can shrink it (IPCGRADE_OBSERVER_RING, in bytes) to make it lose records.
std::uint32_t ring_bytes() {
  if (const char* text = std::getenv("IPCGRADE_OBSERVER_RING")) {
    const unsigned long v = std::strtoul(text, nullptr, 10);
    if (v >= 4096) return static_cast<std::uint32_t>(v);
  }
  return observer::Observer::Options{}.ring_bytes;
}

}  // namespace

std::unique_ptr<observer::Observer> choose_tracer(const config::ScenarioSpec& spec, const RunContext& context,
                                                  const Containment& box, std::string& line) {
  const config::TracerChoice choice = context.tracer.value_or(spec.limits.tracer);
  const std::string asked = choice == config::TracerChoice::Bpf ? " (bpf was asked)" : "";
  if (choice == config::TracerChoice::Ptrace) {
    line = "ptrace: asked for (tracer: ptrace, or --tracer ptrace); every traced call stops its process";
    return nullptr;
  }
  if (context.is_build) return nullptr;  // the build's programs are followed, never judged
  // What this grader may not do on this machine, then what only ptrace can do for this scenario: a
  // guard that judges calls before they run, held stops.
  if (const std::string why = observer::Observer::unavailable(); !why.empty()) {
    line = "ptrace: " + why;
    return nullptr;
  }
  if (box.tracked) {
    line = "ptrace" + asked + ": tracked mode's guard must see each IPC call before it runs";
    return nullptr;
  }
  if (context.schedule_seed) {
    line = "ptrace" + asked + ": the schedule perturbation holds calls at their stops";
    return nullptr;
  }
  try {
    auto observer = std::make_unique<observer::Observer>(
        observer::Observer::Options{.ring_bytes = ring_bytes(),
                                    .pipe_io = context.trace_pipe_io,
                                    .want_results = context.trace_ipc_results});
    line =
        "bpf: the kernel records msgsnd, msgrcv, semop, mq_send, mq_receive and pipe reads and writes "
        "without stopping the programs; every other traced call stops at ptrace";
    return observer;
  } catch (const std::exception& e) {
    line = fmt::format("ptrace: {}", e.what());
    return nullptr;
  }
}

}  // namespace ipcgrade::runner
