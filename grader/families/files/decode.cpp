// FIFOs, POSIX shared memory and POSIX named semaphores: IPC objects that are files, made, opened and
// removed by path. glibc turns mkfifo into mknodat with S_IFIFO, shm_open into an openat of
// /dev/shm/NAME, sem_open into an openat of /dev/shm/sem.NAME (or, for a new semaphore, a temporary
// file linked to that name), and shm_unlink and sem_unlink into unlink. The trace names each the way
// the student wrote it. An open, a link or an unlink of anything else (a file, a library) is not
// recorded. An opened FIFO enters the descriptor table as a pipe with a name: every process that opens
// it shares one pipe number, so reads, writes and closes are followed as a pipe's.
#include <fcntl.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "grader/families/family.hpp"
#include "grader/util/text.hpp"

namespace ipcgrade::families {

namespace {

constexpr std::string_view kShm = "/dev/shm/";
constexpr std::string_view kSem = "sem.";

// The NUL-terminated path at `address`, as the program passed it.
std::string path_at(const DecodeContext& ctx, std::uint64_t address) {
  return ctx.memory.path(address);
}

// The name of a POSIX object from its file under /dev/shm ("/relay" for /dev/shm/relay, and for
// /dev/shm/sem.relay when `semaphore`); nullopt for any other path.
std::optional<std::string> posix_name(const std::string& path, bool semaphore) {
  if (path.rfind(kShm, 0) != 0 || path.size() == kShm.size()) return std::nullopt;
  const std::string rest = path.substr(kShm.size());
  if (semaphore != (rest.rfind(kSem, 0) == 0)) return std::nullopt;
  return "/" + util::escape_controls(semaphore ? rest.substr(kSem.size()) : rest);
}

// The identity of a POSIX object's file, for the end of a tracked run: it removes only that file.
void note_identity(const std::optional<FileId>& file, trace::Event& e) {
  if (!file) return;
  e.values["dev"] = static_cast<long long>(file->dev);
  e.values["ino"] = static_cast<long long>(file->ino);
}

// The flags a student passed: without those glibc adds on its own.
long long student_flags(unsigned long long flags) {
  return static_cast<long long>(flags &
                                ~static_cast<unsigned long long>(O_NOFOLLOW | O_CLOEXEC | O_LARGEFILE));
}

// Which registers a call takes its folder and path from: the *at calls take a folder's descriptor
// first.
struct PathArgs {
  int dirfd = AT_FDCWD;
  std::uint64_t path = 0;
  int next = 0;  // the argument after the path
};
template <bool At>
PathArgs path_args(const Registers& a) {
  return At ? PathArgs{as_int(a[0]), a[1], 2} : PathArgs{AT_FDCWD, a[0], 1};
}

template <bool At>
bool open_entry(DecodeContext& ctx, const Registers& a, trace::Event& e) {
  const PathArgs where = path_args<At>(a);
  const std::string path = path_at(ctx, where.path);
  const unsigned long long flags = a[where.next];
  const bool creating = (flags & O_CREAT) != 0;
  if (flags & O_PATH) {  // opens nothing to read or write
    e.call.clear();
    return false;
  }
  if (auto name = posix_name(path, true)) {
    e.call = "sem_open";
    e.values = {{"oflag", student_flags(flags)}};
    if (creating) {  // glibc's temporary file for a new semaphore: the name comes with its link
      e.texts["temporary"] = util::escape_controls(path);
      e.values["mode"] = static_cast<long long>(a[where.next + 1] & 0777);
    } else {
      e.texts["name"] = *name;
    }
    return true;
  }
  if (auto name = posix_name(path, false)) {
    e.call = "shm_open";
    e.texts["name"] = *name;
    e.values = {{"oflag", student_flags(flags)}};
    if (creating) {
      e.values["mode"] = static_cast<long long>(a[where.next + 1] & 0777);
      if (const auto mask = ctx.memory.umask()) e.values["umask"] = *mask;
      // Whether the name was there before: an open with O_CREAT of an existing object made nothing.
      if (!(flags & O_EXCL)) e.values["existed"] = ctx.memory.file_at(where.dirfd, path) ? 1 : 0;
    }
    return true;
  }
  // Anything else is recorded only if it turns out to be a FIFO.
  e.call = "open";
  e.texts["pathname"] = util::escape_controls(path);
  e.values = {{"flags", student_flags(flags)}};
  if (creating) e.values["mode"] = static_cast<long long>(a[where.next + 1] & 0777);
  return true;
}

template <bool At>
void open_exit(DecodeContext& ctx, const Registers& a, long rval, trace::Event& e) {
  const int fd = static_cast<int>(rval);
  const bool cloexec = (a[path_args<At>(a).next] & O_CLOEXEC) != 0;
  if (e.call == "shm_open") {
    // The name the kernel opened, whatever the memory holds now, and the file's identity: what the end
    // of a tracked run checks before it removes anything.
    const std::string opened = ctx.memory.fd_path(fd);
    const std::string asked = e.texts["name"];
    if (auto name = posix_name(opened, false)) e.texts["name"] = *name;
    note_identity(ctx.memory.file_of(fd), e);
    const bool made = (e.value("oflag") & O_CREAT) &&
                      ((e.value("oflag") & O_EXCL) || (e.value("existed") == 0 && e.texts["name"] == asked));
    e.values.erase("existed");
    if (made) e.values["created"] = 1;
    ctx.fds[fd] = {.cloexec = cloexec, .kind = Opened::SharedMem, .name = e.texts["name"]};
    return;
  }
  if (e.call == "sem_open") {  // glibc maps it and closes it: the semaphore is its name, not a descriptor
    if (auto temporary = e.texts.find("temporary"); temporary != e.texts.end()) {
      if (ctx.names.sem_temporaries.size() < RunNames::kMaxTemporaries)
        ctx.names.sem_temporaries[temporary->second] = {static_cast<mode_t>(e.value("mode")), fd};
      e.call.clear();
      return;
    }
    e.result.reset();
    return;
  }
  const auto file = ctx.memory.file_of(fd);
  if (!file || !S_ISFIFO(file->mode)) {
    e.call.clear();
    return;
  }
  auto [id, fresh] = ctx.names.fifos.try_emplace({file->dev, file->ino}, 0);
  if (fresh) id->second = ctx.next_pipe++;
  const long long access = e.value("flags") & O_ACCMODE;
  ctx.fds[fd] = {.pipe = id->second,
                 .write = access == O_WRONLY,
                 .cloexec = cloexec,
                 .kind = Opened::Fifo,
                 .both = access == O_RDWR,
                 .name = e.texts["pathname"]};
  e.values["fifo"] = id->second;
  e.values["end"] = access == O_RDWR ? 2 : access == O_WRONLY ? 1 : 0;
}

// A failed open of a file that is not a POSIX object says nothing about IPC; nor does glibc's look for
// an existing semaphore before it makes one, or a temporary it could not make.
void open_failed(DecodeContext&, const Registers&, long, trace::Event& e) {
  if (e.call == "open" || e.call == "sem_open") e.call.clear();
}

// mknod(at) with S_IFIFO is mkfifo; any other node is not IPC.
template <bool At>
bool mknod_entry(DecodeContext& ctx, const Registers& a, trace::Event& e) {
  const PathArgs where = path_args<At>(a);
  const unsigned long long mode = a[where.next];
  if (!S_ISFIFO(mode)) {
    e.call.clear();
    return false;
  }
  e.call = "mkfifo";
  e.texts["pathname"] = util::escape_controls(path_at(ctx, where.path));
  e.values = {{"mode", static_cast<long long>(mode & 0777)}};
  if (const auto mask = ctx.memory.umask()) e.values["umask"] = *mask;
  return true;
}
// The FIFO made has a pipe number of its own, even where an earlier one's file had the same inode.
template <bool At>
void mknod_exit(DecodeContext& ctx, const Registers& a, long, trace::Event& e) {
  const PathArgs where = path_args<At>(a);
  const std::string path = path_at(ctx, where.path);
  const auto file = ctx.memory.file_at(where.dirfd, path);
  if (!file) return;
  const long id = ctx.next_pipe++;
  ctx.names.fifos[{file->dev, file->ino}] = id;
  e.values["fifo"] = id;
  // Where it is and which file it is, taken now: the end of the run removes only that file, and only in
  // the run's own folders.
  note_identity(file, e);
  if (const std::string real = ctx.memory.real_path(where.dirfd, path); !real.empty())
    e.texts["where"] = util::escape_controls(real);
}

// unlink(at) of a FIFO, or of a POSIX object's file: shm_unlink, sem_unlink.
template <bool At>
bool unlink_entry(DecodeContext& ctx, const Registers& a, trace::Event& e) {
  const PathArgs where = path_args<At>(a);
  const std::string path = path_at(ctx, where.path);
  if (auto name = posix_name(path, true)) {
    if (ctx.names.sem_temporaries.erase(util::escape_controls(path))) {
      e.call.clear();
      return false;
    }
    e.call = "sem_unlink";
    e.texts["name"] = *name;
    return true;
  }
  if (auto name = posix_name(path, false)) {
    e.call = "shm_unlink";
    e.texts["name"] = *name;
    return true;
  }
  const auto file = ctx.memory.file_at(where.dirfd, path);
  if (!file || !S_ISFIFO(file->mode)) {
    e.call.clear();
    return false;
  }
  e.call = "unlink";
  e.texts["pathname"] = util::escape_controls(path);
  auto [id, fresh] = ctx.names.fifos.try_emplace({file->dev, file->ino}, 0);
  if (fresh) id->second = ctx.next_pipe++;  // a FIFO made before the run
  e.values = {{"fifo", id->second}};
  return true;
}

// link(at) of glibc's temporary file to /dev/shm/sem.NAME: sem_open making a new semaphore.
template <bool At>
bool link_entry(DecodeContext& ctx, const Registers& a, trace::Event& e) {
  const std::string from = util::escape_controls(path_at(ctx, a[At ? 1 : 0]));
  const auto name = posix_name(path_at(ctx, a[At ? 3 : 1]), true);
  const auto temporary = ctx.names.sem_temporaries.find(from);
  if (!name || temporary == ctx.names.sem_temporaries.end()) {
    e.call.clear();
    return false;
  }
  e.call = "sem_open";
  e.texts["name"] = *name;
  e.values = {{"oflag", O_RDWR | O_CREAT}, {"mode", static_cast<long long>(temporary->second.mode)}};
  // The semaphore's file is the temporary's, open at its descriptor: its identity cannot be raced.
  note_identity(ctx.memory.file_of(temporary->second.fd), e);
  return true;
}

// sem_open returns an address, not link's 0; a link makes its name or fails, so it created it.
void link_exit(DecodeContext&, const Registers&, long, trace::Event& e) {
  e.result.reset();
  e.values["created"] = 1;
}

// The size given to a POSIX shared-memory object.
bool ftruncate_entry(DecodeContext& ctx, const Registers& a, trace::Event& e) {
  const auto it = ctx.fds.find(as_int(a[0]));
  if (it == ctx.fds.end() || it->second.kind != Opened::SharedMem) {
    e.call.clear();
    return false;
  }
  e.values = {{"fd", as_int(a[0])}, {"length", static_cast<long long>(a[1])}};
  e.texts["name"] = it->second.name;
  return true;
}

// A POSIX shared-memory object mapped (MAP_SHARED of its descriptor) and unmapped. Every other mmap is
// an allocation: the tracer only watches its result for ENOMEM.
bool mmap_entry(DecodeContext& ctx, const Registers& a, trace::Event& e) {
  const auto it = ctx.fds.find(as_int(a[4]));
  if (it == ctx.fds.end() || it->second.kind != Opened::SharedMem) {
    e.call.clear();
    return false;
  }
  e.values = {{"addr", static_cast<long long>(a[0])},
              {"length", static_cast<long long>(a[1])},
              {"prot", static_cast<long long>(a[2])},
              {"flags", static_cast<long long>(a[3])},
              {"fd", as_int(a[4])},
              {"offset", static_cast<long long>(a[5])}};
  e.texts["name"] = it->second.name;
  return true;
}
void mmap_exit(DecodeContext& ctx, const Registers& a, long rval, trace::Event& e) {
  e.values["address"] = rval;
  if (a[3] & MAP_SHARED) ctx.fds.mappings[static_cast<std::uint64_t>(rval)] = {a[1], e.texts["name"]};
}
// munmap unmaps a range: every shared-memory mapping that starts in it goes.
bool munmap_entry(DecodeContext& ctx, const Registers& a, trace::Event& e) {
  auto it = ctx.fds.mappings.lower_bound(a[0]);
  if (it == ctx.fds.mappings.end() || it->first >= a[0] + a[1]) {
    e.call.clear();
    return false;
  }
  e.values = {{"addr", static_cast<long long>(a[0])}, {"length", static_cast<long long>(a[1])}};
  e.texts["name"] = it->second.name;
  while (it != ctx.fds.mappings.end() && it->first < a[0] + a[1]) it = ctx.fds.mappings.erase(it);
  return false;
}

constexpr Decoder kDecoders[] = {
    {"open", open_entry<false>, open_exit<false>, open_failed},
    {"openat", open_entry<true>, open_exit<true>, open_failed},
    {"mknod", mknod_entry<false>, mknod_exit<false>},
    {"mknodat", mknod_entry<true>, mknod_exit<true>},
    {"unlink", unlink_entry<false>},
    {"unlinkat", unlink_entry<true>},
    {"link", link_entry<false>, link_exit},
    {"linkat", link_entry<true>, link_exit},
    {"ftruncate", ftruncate_entry},
    {"mmap", mmap_entry, mmap_exit},
    {"munmap", munmap_entry},
};

}  // namespace

std::span<const Decoder> files::decoders() {
  return kDecoders;
}

}  // namespace ipcgrade::families
