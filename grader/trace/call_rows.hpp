#pragma once
// What the call table's two files share (calls.cpp: the IPC families' rows, the processes', the
// allocations'; calls_guard.cpp: what tracked mode's guard and the sandbox refuse or hold).
#include <vector>

#include "grader/trace/calls.hpp"

namespace ipcgrade::trace {

inline const Arg kElided{"...", Spelling::Elided};
inline const Arg kPath{"pathname", Spelling::Path};
inline const Arg kDirFd{"dirfd", Spelling::DirFd};
inline const Arg kMode{"mode", Spelling::Mode};

// The rows of calls_guard.cpp, in the table's order.
std::vector<CallRow> guard_rows();

}  // namespace ipcgrade::trace
