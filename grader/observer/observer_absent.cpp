// The observer of a build without clang, bpftool or libbpf (the container image: container runtimes
// refuse bpf() to what they run): it is never available, and every run is traced with ptrace alone.
#include <stdexcept>

#include "grader/observer/observer.hpp"

namespace ipcgrade::observer {

struct Observer::Loaded {};

std::string Observer::unavailable() {
  return "this ipcgrade was built without the BPF observer (no clang, bpftool or libbpf at build time)";
}

Observer::Observer(const Options&) {
  throw std::runtime_error(unavailable());
}

Observer::~Observer() = default;

void Observer::follow(pid_t) {}

size_t Observer::drain(const std::function<void(const ObservedCall&)>&) {
  return 0;
}

std::uint64_t Observer::lost() const {
  return 0;
}

void Observer::allow_repeats(const ObservedCall&, std::uint32_t) {}

}  // namespace ipcgrade::observer
