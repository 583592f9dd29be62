#include "grader/observer/observer.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <deque>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

#include "grader/trace/calls.hpp"
#include "grader/util/procfs.hpp"
#include "observer.skel.h"  // generated from observer.bpf.c at build time

namespace ipcgrade::observer {

namespace {

static_assert(sizeof(ipcgrade_observed_call) % 8 == 0, "records are 8-byte aligned in the ring");
static_assert(static_cast<int>(trace::Capture::Args) == IPCGRADE_CAPTURE_ARGS &&
                  static_cast<int>(trace::Capture::Mtype) == IPCGRADE_CAPTURE_MTYPE &&
                  static_cast<int>(trace::Capture::SemOps) == IPCGRADE_CAPTURE_SEM_OPS &&
                  static_cast<int>(trace::Capture::Write) == IPCGRADE_CAPTURE_WRITE,
              "the call table's capture kinds are the BPF program's");

// The effective capabilities of this process, from /proc/self/status.
std::uint64_t effective_capabilities() {
  return std::strtoull(util::proc_status("self")["CapEff"].c_str(), nullptr, 16);
}

// Whether this process is in the host's user namespace: capabilities in a namespace of its own (the
// grader's, where it lacks CAP_SYS_ADMIN) do not let it load a BPF program.
bool in_initial_user_namespace() {
  std::istringstream map(util::read_proc_file("/proc/self/uid_map"));
  unsigned long inside = 1, outside = 1, count = 0;
  map >> inside >> outside >> count;
  return inside == 0 && outside == 0 && count == 4294967295UL;
}

// What the program records of a row's calls, for the map `captures`.
std::uint32_t capture_flags(const trace::CallRow& row, const Observer::Options& options) {
  if (row.capture == trace::Capture::None || row.nr < 0 || row.nr >= IPCGRADE_OBSERVED_CALLS) return 0;
  if (row.stop == trace::Stop::PipeIo && !options.pipe_io) return 0;
  std::uint32_t flags = static_cast<std::uint32_t>(row.capture);
  if (row.exit == trace::Exit::Always || (options.want_results && trace::waits_for_results(row.family)))
    flags |= IPCGRADE_CAPTURE_EXIT;
  // A pipe's read or write is often made through stdio, whose frames need the longer piece of stack.
  if (row.stop == trace::Stop::PipeIo) flags |= IPCGRADE_CAPTURE_FD_ABOVE_2 | IPCGRADE_CAPTURE_DEEP;
  return flags;
}

}  // namespace

struct Observer::Loaded {
  observer_bpf* skeleton = nullptr;
  ring_buffer* ring = nullptr;
  // Each thread's last whole entries with a number, as the program keeps them (the same ones: it keeps
  // every such entry it wrote, oldest replaced first), and their exits, for the repeats that name them.
  std::unordered_map<std::uint32_t, std::deque<ObservedCall>> entries, exits;
  ~Loaded() {
    if (ring) ring_buffer__free(ring);
    if (skeleton) observer_bpf__destroy(skeleton);
  }
};

std::string Observer::unavailable() {
  constexpr int kSysAdmin = 21, kPerfmon = 38, kBpf = 39;
  const std::uint64_t caps = effective_capabilities();
  const auto has = [&](int cap) { return (caps >> cap) & 1; };
  if (!in_initial_user_namespace() || (!has(kSysAdmin) && !(has(kBpf) && has(kPerfmon))))
    return "the grader may not load a BPF program (it needs CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN)";
  if (!std::filesystem::exists("/sys/kernel/btf/vmlinux"))
    return "the kernel has no BTF (/sys/kernel/btf/vmlinux) to place the observer's reads";
  return {};
}

Observer::Observer(const Options& options) : loaded_(std::make_unique<Loaded>()) {
  libbpf_set_print([](enum libbpf_print_level, const char*, va_list) { return 0; });
  loaded_->skeleton = observer_bpf__open();
  if (!loaded_->skeleton)
    throw std::runtime_error(fmt::format("cannot open the observer: {}", std::strerror(errno)));
  bpf_map__set_max_entries(loaded_->skeleton->maps.records, options.ring_bytes);
  if (const int err = observer_bpf__load(loaded_->skeleton))
    throw std::runtime_error(fmt::format("the kernel refused the observer: {}", std::strerror(-err)));
  const int captures = bpf_map__fd(loaded_->skeleton->maps.captures);
  for (const auto& row : trace::call_table()) {
    const std::uint32_t flags = capture_flags(row, options);
    if (!flags) continue;
    const std::uint32_t key = static_cast<std::uint32_t>(row.nr);
    if (bpf_map_update_elem(captures, &key, &flags, BPF_ANY) != 0)
      throw std::runtime_error(fmt::format("cannot configure the observer: {}", std::strerror(errno)));
  }
  if (const int err = observer_bpf__attach(loaded_->skeleton))
    throw std::runtime_error(fmt::format("cannot attach the observer: {}", std::strerror(-err)));
  loaded_->ring = ring_buffer__new(
      bpf_map__fd(loaded_->skeleton->maps.records),
      [](void* self, void* data, size_t size) {
        static_cast<Observer*>(self)->receive(data, size);
        return 0;
      },
      this, nullptr);
  if (!loaded_->ring)
    throw std::runtime_error(fmt::format("cannot read the observer: {}", std::strerror(errno)));
}

Observer::~Observer() = default;

void Observer::receive(const void* data, size_t size) {
  const auto* head = static_cast<const ObservedCall*>(data);
  if (size < IPCGRADE_RECORD_REPEAT_SIZE) return;
  if (head->exit == IPCGRADE_RECORD_REPEAT || head->exit == IPCGRADE_RECORD_EXIT_REPEAT) {
    auto& store = head->exit == IPCGRADE_RECORD_REPEAT ? loaded_->entries : loaded_->exits;
    const auto held = store.find(head->tid);
    if (held != store.end()) {
      for (ObservedCall& whole : held->second) {
        if (whole.gen != head->gen) continue;
        // Handed on in place (a record is a kilobyte), with the repeat's time and kind for the call.
        const auto ns = whole.ns;
        const auto exit = whole.exit;
        whole.ns = head->ns;
        whole.exit = head->exit;
        (*on_)(whole);
        whole.ns = ns;
        whole.exit = exit;
        return;
      }
    }
    ++unmatched_;
    return;
  }
  const ObservedCall* whole = head;  // a long record is read in place
  ObservedCall call{};
  if (size < sizeof(ObservedCall)) {
    // A short record ends within the piece of stack: whole here, its stack_length saying how much of
    // that piece there is.
    std::memcpy(&call, data, size);
    const size_t stack = offsetof(ObservedCall, stack);
    call.stack_length =
        size > stack ? std::min<std::uint32_t>(call.stack_length, static_cast<std::uint32_t>(size - stack))
                     : 0;
    whole = &call;
  }
  if (whole->gen != 0) {
    auto& held = (whole->exit == IPCGRADE_RECORD_ENTRY ? loaded_->entries : loaded_->exits)[whole->tid];
    held.push_back(*whole);
    if (held.size() > IPCGRADE_REPEAT_SLOTS) held.pop_front();
  }
  (*on_)(*whole);
}

void Observer::allow_repeats(const ObservedCall& whole, std::uint32_t stack_words) {
  const std::uint64_t key = whole.gen | (whole.exit == IPCGRADE_RECORD_EXIT ? IPCGRADE_EXIT_RULE : 0);
  bpf_map_update_elem(bpf_map__fd(loaded_->skeleton->maps.rules), &key, &stack_words, BPF_ANY);
}

void Observer::follow(pid_t tid) {
  const std::uint32_t key = static_cast<std::uint32_t>(tid);
  const std::uint8_t one = 1;
  bpf_map_update_elem(bpf_map__fd(loaded_->skeleton->maps.followed), &key, &one, BPF_ANY);
}

size_t Observer::drain(const std::function<void(const ObservedCall&)>& on) {
  on_ = &on;
  const int n = ring_buffer__consume(loaded_->ring);
  on_ = nullptr;
  return n > 0 ? static_cast<size_t>(n) : 0;
}

std::uint64_t Observer::lost() const {
  const std::uint32_t zero = 0;
  std::uint64_t n = 0;
  bpf_map_lookup_elem(bpf_map__fd(loaded_->skeleton->maps.drops), &zero, &n);
  // A program the kernel did not run because it was already running on that CPU (a preemptible
  // kernel: another task's call while one was being recorded) recorded nothing of that call.
  bpf_program* program = nullptr;
  bpf_object__for_each_program(program, loaded_->skeleton->obj) {
    bpf_prog_info info{};
    std::uint32_t length = sizeof info;
    if (bpf_obj_get_info_by_fd(bpf_program__fd(program), &info, &length) == 0) n += info.recursion_misses;
  }
  return n + unmatched_;
}

}  // namespace ipcgrade::observer
