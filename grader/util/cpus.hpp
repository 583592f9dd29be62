#pragma once

#include <sys/types.h>

#include <chrono>
#include <vector>

namespace ipcgrade::util {

// The CPUs this process may run on (its affinity mask, which a container's cpuset narrows), in order.
std::vector<int> usable_cpus();

// Puts a process on one CPU; false when the kernel refused (the process is gone, or the CPU is not
// usable). The process's children inherit it.
bool pin_to_cpu(pid_t pid, int cpu);

// The one CPU a process is pinned to, or -1 when it may run on more than one.
int pinned_cpu(pid_t pid);

// The calling thread's time slice (the scheduler's EEVDF slice, Linux 6.12 and later; older kernels
// ignore it): a thread with a shorter slice than the one running is switched to as soon as it wakes,
// where one with the default may wait a tick or two (4-8 ms) behind busy processes. Its policy, nice
// value and flags are kept. Children inherit the slice: default_time_slice() gives one back the
// default. False when the kernel refused.
bool set_time_slice(std::chrono::microseconds slice);
bool default_time_slice();

}  // namespace ipcgrade::util
