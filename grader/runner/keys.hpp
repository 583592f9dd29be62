#pragma once
#include <sys/types.h>

#include <string>
#include <vector>

#include "grader/config/assignment.hpp"

namespace ipcgrade::runner {

// The IPC keys handed to `student`: from the roster when the assignment has one (a student missing
// from it is a ConfigError), else `keys.base` + i, else derived from the assignment id and the
// student id: stable across runs, spread over 2^27 blocks, so two students of a class share keys only
// with a vanishing chance (use a roster to rule it out). With a `secret` (IPCGRADE_KEY_SECRET; `batch`
// draws one per class run) the derivation includes it, so that no student can compute a classmate's
// keys and take them first in a tracked batch, where the runs share the host's keys.
std::vector<key_t> assign_keys(const config::Assignment& assignment, const std::string& student,
                               const std::string& secret = {});

}  // namespace ipcgrade::runner
