#pragma once
#include <stdexcept>
#include <string>

namespace ipcgrade::config {

// A mistake in an assignment file (or a file it names) that the user can fix. The message is already
// in the form "FILE:LINE:COLUMN: what is wrong" (or "FILE: what is wrong" when there is no position).
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace ipcgrade::config
