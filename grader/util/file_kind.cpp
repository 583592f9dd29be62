#include "grader/util/file_kind.hpp"

#include <sys/stat.h>

namespace ipcgrade::util {

const char* file_kind(mode_t mode) {
  if (S_ISFIFO(mode)) return "fifo";
  if (S_ISSOCK(mode)) return "socket";
  if (S_ISDIR(mode)) return "directory";
  if (S_ISLNK(mode)) return "symlink";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "device";
  return "file";
}

}  // namespace ipcgrade::util
