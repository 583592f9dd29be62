#pragma once

#include <sys/types.h>

#include <vector>

namespace ipcgrade::util {

// The CPUs this process may run on (its affinity mask, which a container's cpuset narrows), in order.
std::vector<int> usable_cpus();

// Puts a process on one CPU; false when the kernel refused (the process is gone, or the CPU is not
// usable). The process's children inherit it.
bool pin_to_cpu(pid_t pid, int cpu);

// The one CPU a process is pinned to, or -1 when it may run on more than one.
int pinned_cpu(pid_t pid);

}  // namespace ipcgrade::util
