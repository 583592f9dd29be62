#pragma once
#include <map>

namespace ipcgrade::supervise {

// One open descriptor that refers to a pipe the tracer saw created.
struct PipeEnd {
  long pipe = 0;  // the pipe's number in this run: 1, 2, ...
  bool write = false;
  bool cloexec = false;
};
// A process's descriptors that are ends of pipes, kept through fork, dup, close and exec.
using FdTable = std::map<int, PipeEnd>;

}  // namespace ipcgrade::supervise
