#include "grader/build/build.hpp"

namespace ipcgrade::build {

std::string to_string(BuildStatus status) {
  switch (status) {
    case BuildStatus::None:
      return "none";
    case BuildStatus::Ok:
      return "ok";
    case BuildStatus::Failed:
      return "failed";
    case BuildStatus::Timeout:
      return "timeout";
    case BuildStatus::Refused:
      return "refused";
  }
  return "none";
}

}  // namespace ipcgrade::build
