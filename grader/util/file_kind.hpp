#pragma once
#include <sys/types.h>

namespace ipcgrade::util {

// A file's kind as reports name it: file, fifo, socket, directory, symlink or device.
const char* file_kind(mode_t mode);

}  // namespace ipcgrade::util
