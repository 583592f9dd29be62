// Pipes and the descriptors that hold their ends: pipe, pipe2, close, close_range, dup, dup2, dup3,
// fcntl's F_SETFD and F_DUPFD(_CLOEXEC), and read and write on a pipe or a FIFO. Each process's table
// of descriptors follows these calls, so that a read names its pipe and the ends its process should
// have closed; a POSIX queue's close is mq_close. A call on a descriptor the table does not hold (a
// file, a socket, the terminal) is not recorded.
#include <fcntl.h>
#include <linux/close_range.h>

#include <array>

#include "grader/families/family.hpp"
#include "grader/util/text.hpp"

namespace ipcgrade::families {

namespace {

// How many bytes of a write the trace keeps: the first ones, for the evidence (what a student
// recognises as their message), and the last ones, to judge terminators.
constexpr size_t kHeadBytes = 24;
constexpr size_t kTailBytes = 16;

void describe_end(const FdTable& fds, int fd, trace::Event& e) {
  auto it = fds.find(fd);
  if (it == fds.end() || !it->second.is_pipe()) return;
  e.values["pipe"] = it->second.pipe;
  e.values["end"] = it->second.both ? 2 : it->second.write ? 1 : 0;
  if (it->second.kind == Opened::Fifo) e.texts["fifo"] = it->second.name;
}

// The descriptors of `pipe`'s other end, `write_end` or not, that the process holds (a FIFO opened
// O_RDWR is both ends).
std::vector<int> ends_of(const FdTable& fds, long pipe, bool write_end) {
  std::vector<int> out;
  for (const auto& [fd, end] : fds) {
    if (end.is_pipe() && end.pipe == pipe && (write_end ? end.writes() : end.reads())) out.push_back(fd);
  }
  return out;
}

bool pipe_entry(DecodeContext&, const Registers& a, trace::Event& e) {
  if (e.call == "pipe2" && (a[1] & O_CLOEXEC)) e.values["flags"] = O_CLOEXEC;
  return true;
}
void pipe_exit(DecodeContext& ctx, const Registers& a, long, trace::Event& e) {
  auto ends = ctx.memory.value<std::array<int, 2>>(a[0]);
  if (!ends) return;
  const bool cloexec = e.values.count("flags") > 0;
  const long id = ctx.next_pipe++;
  ctx.fds[(*ends)[0]] = {id, false, cloexec};
  ctx.fds[(*ends)[1]] = {id, true, cloexec};
  e.values["pipe"] = id;
  e.values["read_fd"] = (*ends)[0];
  e.values["write_fd"] = (*ends)[1];
}

bool close_entry(DecodeContext& ctx, const Registers& a, trace::Event& e) {
  const int fd = as_int(a[0]);
  const auto it = ctx.fds.find(fd);
  if (it == ctx.fds.end() || it->second.kind == Opened::SharedMem) {  // a shared-memory object's close
    ctx.fds.erase(fd);                                                // does not unmap it: not recorded
    e.call.clear();
    return false;
  }
  if (it->second.kind == Opened::Queue) {  // glibc's mq_close is close
    e.call = "mq_close";
    e.values["mqdes"] = fd;
    e.texts["name"] = it->second.name;
    ctx.fds.erase(it);
    return false;
  }
  e.values["fd"] = fd;
  describe_end(ctx.fds, fd, e);
  ctx.fds.erase(fd);
  return false;
}

// The table follows it; the trace records it only when it closes a POSIX queue's descriptor (glibc's
// closefrom is one), which mq-usage counts as closed.
bool close_range_entry(DecodeContext& ctx, const Registers& a, trace::Event& e) {
  const unsigned first = static_cast<unsigned>(a[0]), last = static_cast<unsigned>(a[1]);
  bool queue = false;
  for (auto it = ctx.fds.begin(); it != ctx.fds.end();) {
    const auto fd = static_cast<unsigned>(it->first);
    if (fd < first || fd > last) {
      ++it;
    } else if (a[2] & CLOSE_RANGE_CLOEXEC) {
      (it++)->second.cloexec = true;
    } else {
      queue = queue || it->second.kind == Opened::Queue;
      it = ctx.fds.erase(it);
    }
  }
  if (!queue) {
    e.call.clear();
    return false;
  }
  e.values = {{"first", static_cast<long long>(first)}, {"last", static_cast<long long>(last)}};
  return false;
}

// dup and fcntl's duplicates: the new descriptor is known at the exit.
bool dup_entry(DecodeContext& ctx, const Registers& a, trace::Event& e) {
  if (!ctx.fds.count(as_int(a[0]))) {
    e.call.clear();
    return false;
  }
  e.values["oldfd"] = as_int(a[0]);
  return true;
}
void copy_end(DecodeContext& ctx, int oldfd, long newfd, bool cloexec, trace::Event& e) {
  auto old = ctx.fds.find(oldfd);
  if (old != ctx.fds.end()) {
    PipeEnd copy = old->second;
    copy.cloexec = cloexec;
    ctx.fds[static_cast<int>(newfd)] = copy;
  }
  e.values["newfd"] = newfd;
}
void dup_exit(DecodeContext& ctx, const Registers& a, long rval, trace::Event& e) {
  copy_end(ctx, as_int(a[0]), rval, false, e);
}
void fcntl_exit(DecodeContext& ctx, const Registers& a, long rval, trace::Event& e) {
  copy_end(ctx, as_int(a[0]), rval, as_int(a[1]) == F_DUPFD_CLOEXEC, e);
}

bool fcntl_entry(DecodeContext& ctx, const Registers& a, trace::Event& e) {
  // The filter stops F_SETFD and F_DUPFD(_CLOEXEC), what changes the table, and F_SETOWN(_EX) for the
  // guard (nothing to record).
  if (as_int(a[1]) == F_SETOWN || as_int(a[1]) == F_SETOWN_EX) {
    e.call.clear();
    return false;
  }
  auto it = ctx.fds.find(as_int(a[0]));
  if (it == ctx.fds.end() || as_int(a[1]) == F_SETFD) {
    if (it != ctx.fds.end()) it->second.cloexec = (a[2] & FD_CLOEXEC) != 0;
    e.call.clear();
    return false;
  }
  e.call = "dup";  // F_DUPFD is dup to the lowest descriptor >= its argument
  e.values["oldfd"] = as_int(a[0]);
  return true;
}

// dup2/dup3 at entry: the new descriptor first closes, then becomes a copy of the old one if that is a
// pipe's end. (A failing call leaves a table that is wrong only for descriptors nobody uses.)
bool dup_to_entry(DecodeContext& ctx, const Registers& a, trace::Event& e) {
  const int oldfd = as_int(a[0]), newfd = as_int(a[1]);
  auto old = ctx.fds.find(oldfd);
  if (oldfd == newfd || (old == ctx.fds.end() && !ctx.fds.count(newfd))) {
    e.call.clear();
    return false;
  }
  e.values["oldfd"] = oldfd;
  e.values["newfd"] = newfd;
  ctx.fds.erase(newfd);
  if (old != ctx.fds.end()) {
    PipeEnd copy = old->second;
    copy.cloexec = e.call == "dup3" && (a[2] & O_CLOEXEC) != 0;
    ctx.fds[newfd] = copy;
    describe_end(ctx.fds, newfd, e);
  }
  return false;
}

bool pipe_io_entry(DecodeContext& ctx, const Registers& a, trace::Event& e) {
  const int fd = as_int(a[0]);
  auto it = ctx.fds.find(fd);
  if (it == ctx.fds.end() || !it->second.is_pipe()) {  // not a pipe we know: a file, a socket, stdin...
    e.call.clear();
    return false;
  }
  e.values["fd"] = fd;
  e.values["count"] = static_cast<long long>(a[2]);
  describe_end(ctx.fds, fd, e);
  const bool writing = e.call == "write";
  // The end of the same pipe that this process should have closed: a reader's write ends, a writer's
  // read ends (a FIFO opened O_RDWR holds both: the one it reads counts too).
  e.other_ends = ends_of(ctx.fds, it->second.pipe, !writing);
  if (writing) {
    // One read of the tracee when the write is short enough for the head to hold its tail too.
    const size_t count = static_cast<size_t>(a[2]);
    const size_t tail = std::min(count, kTailBytes);
    const std::string head = ctx.memory.read(a[1], std::min(count, kHeadBytes));
    if (count <= head.size()) {
      e.texts["tail"] = util::escape_bytes(std::string_view(head).substr(count - tail));
    } else {
      e.texts["tail"] = util::escape_bytes(ctx.memory.read(a[1] + count - tail, tail));
    }
    e.texts["head"] = util::escape_bytes(head);
  }
  return false;
}

constexpr Decoder kDecoders[] = {
    {"pipe", pipe_entry, pipe_exit}, {"pipe2", pipe_entry, pipe_exit},
    {"close", close_entry},          {"close_range", close_range_entry},
    {"dup", dup_entry, dup_exit},    {"dup2", dup_to_entry},
    {"dup3", dup_to_entry},          {"fcntl", fcntl_entry, fcntl_exit},
    {"read", pipe_io_entry},         {"write", pipe_io_entry},
};

}  // namespace

std::span<const Decoder> pipes::decoders() {
  return kDecoders;
}

}  // namespace ipcgrade::families
