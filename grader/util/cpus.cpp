#include "grader/util/cpus.hpp"

#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>

namespace ipcgrade::util {

std::vector<int> usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (::sched_getaffinity(0, sizeof set, &set) != 0) return cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  }
  return cpus;
}

bool pin_to_cpu(pid_t pid, int cpu) {
  if (cpu < 0 || cpu >= CPU_SETSIZE) return false;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpu, &one);
  return ::sched_setaffinity(pid, sizeof one, &one) == 0;
}

int pinned_cpu(pid_t pid) {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(pid, sizeof set, &set) != 0 || CPU_COUNT(&set) != 1) return -1;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) return cpu;
  }
  return -1;
}

namespace {

// The kernel's struct sched_attr (its first version, 48 bytes): glibc 2.36 has none, and the kernel's
// header redefines glibc's sched_param.
struct SchedAttr {
  std::uint32_t size;
  std::uint32_t sched_policy;
  std::uint64_t sched_flags;
  std::int32_t sched_nice;
  std::uint32_t sched_priority;
  std::uint64_t sched_runtime;  // SCHED_OTHER: the slice, in ns (0: the default)
  std::uint64_t sched_deadline;
  std::uint64_t sched_period;
};
static_assert(sizeof(SchedAttr) == 48);

// The thread's own scheduling attributes (policy, nice, flags) with only the slice changed
// (0: the default): sched_getattr, then sched_setattr.
bool set_fair_slice(std::uint64_t nanoseconds) {
  SchedAttr attr{};
  if (::syscall(SYS_sched_getattr, 0, &attr, sizeof attr, 0) != 0) return false;
  attr.size = sizeof attr;
  attr.sched_runtime = nanoseconds;
  return ::syscall(SYS_sched_setattr, 0, &attr, 0) == 0;
}

}  // namespace

bool set_time_slice(std::chrono::microseconds slice) {
  return set_fair_slice(static_cast<std::uint64_t>(std::chrono::nanoseconds(slice).count()));
}

bool default_time_slice() {
  return set_fair_slice(0);
}

}  // namespace ipcgrade::util
