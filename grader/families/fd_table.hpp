#pragma once
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>

namespace ipcgrade::families {

// What an open descriptor the tracer follows refers to.
enum class Opened : std::uint8_t {
  Pipe,      // an end of a pipe the tracer saw created
  Fifo,      // a FIFO opened by its path: a pipe with a name, read and written like one
  Queue,     // a POSIX message queue (mq_open)
  SharedMem  // a POSIX shared-memory object (shm_open: a file under /dev/shm)
};

// One open descriptor of a pipe, a FIFO, a POSIX queue or a POSIX shared-memory object.
struct PipeEnd {
  long pipe = 0;  // pipes and FIFOs: the pipe's number in this run: 1, 2, ...
  bool write = false;
  bool cloexec = false;
  Opened kind = Opened::Pipe;
  bool both = false;      // a FIFO opened O_RDWR: a read end and a write end at once
  std::string name = {};  // a FIFO's path, a queue's or an object's name, as the program wrote it

  bool reads() const { return !write || both; }
  bool writes() const { return write || both; }
  bool is_pipe() const { return kind == Opened::Pipe || kind == Opened::Fifo; }
};

// A POSIX shared-memory mapping: where an mmap of a shm_open descriptor put it.
struct SharedMapping {
  std::uint64_t length = 0;
  std::string name = {};
};

// A process's descriptors that the tracer follows, kept through fork, dup, close and exec, and its
// mappings of POSIX shared memory (which fork copies and exec drops with it).
struct FdTable : std::map<int, PipeEnd> {
  std::map<std::uint64_t, SharedMapping> mappings;
};

// What the run's names are, across its processes: each FIFO (by its file's identity) has one pipe
// number, whoever opens it; the temporary files glibc's sem_open makes before it links the name are
// not the student's objects.
struct RunNames {
  std::map<std::pair<dev_t, ino_t>, long> fifos;
  struct Temporary {
    mode_t mode = 0;  // the mode the new semaphore gets
    int fd = -1;      // its descriptor in the process that made it: the file the link names
  };
  std::map<std::string, Temporary> sem_temporaries;  // by path; a few at a time, capped
  static constexpr size_t kMaxTemporaries = 64;
};

}  // namespace ipcgrade::families
