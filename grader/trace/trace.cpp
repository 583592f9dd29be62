#include "grader/trace/trace.hpp"

#include <cstdlib>

namespace ipcgrade::trace {

long long Event::number(const std::string& name) const {
  auto it = args.find(name);
  if (it == args.end()) return 0;
  return std::strtoll(it->second.c_str(), nullptr, 0);
}

}  // namespace ipcgrade::trace
