#include "grader/audit/sysv.hpp"

#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include <fcntl.h>
#include <mqueue.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "grader/util/procfs.hpp"

namespace ipcgrade::audit {

namespace {

// Reads the rows of one /proc/sysvipc table as numbers (header skipped). Every column is decimal
// except the third, perms, which the kernel prints in octal.
std::vector<std::vector<long long>> read_table(const char* path) {
  std::vector<std::vector<long long>> rows;
  const std::vector<std::string> lines = util::read_proc_lines(path);
  for (size_t i = 1; i < lines.size(); ++i) {  // lines[0] is the header
    std::istringstream fields(lines[i]);
    std::vector<long long> row;
    std::string field;
    while (fields >> field) row.push_back(std::stoll(field, nullptr, row.size() == 2 ? 8 : 10));
    if (!row.empty()) rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

std::vector<run::Leftover> list_sysv_objects() {
  std::vector<run::Leftover> out;
  // msg: key msqid perms cbytes qnum lspid lrpid uid gid cuid cgid stime rtime ctime
  for (const auto& r : read_table("/proc/sysvipc/msg")) {
    if (r.size() < 5) continue;
    run::Leftover l;
    l.kind = trace::IpcKind::MsgQueue;
    l.key = static_cast<long>(r[0]);
    l.id = static_cast<int>(r[1]);
    l.mode = static_cast<unsigned>(r[2]) & 0777;
    l.bytes = static_cast<std::uint64_t>(r[3]);
    l.messages = static_cast<std::uint64_t>(r[4]);
    if (r.size() >= 14) {
      l.uid = static_cast<long>(r[7]);
      l.cuid = static_cast<long>(r[9]);
      l.created = r[13];
    }
    out.push_back(l);
  }
  // shm: key shmid perms size cpid lpid nattch uid gid cuid cgid atime dtime ctime rss swap
  for (const auto& r : read_table("/proc/sysvipc/shm")) {
    if (r.size() < 7) continue;
    run::Leftover l;
    l.kind = trace::IpcKind::ShmSegment;
    l.key = static_cast<long>(r[0]);
    l.id = static_cast<int>(r[1]);
    l.mode = static_cast<unsigned>(r[2]) & 0777;
    l.bytes = static_cast<std::uint64_t>(r[3]);
    l.creator_pid = static_cast<long>(r[4]);
    l.attached = static_cast<int>(r[6]);
    if (r.size() >= 14) {
      l.uid = static_cast<long>(r[7]);
      l.cuid = static_cast<long>(r[9]);
      l.created = r[13];
    }
    out.push_back(l);
  }
  // sem: key semid perms nsems uid gid cuid cgid otime ctime
  for (const auto& r : read_table("/proc/sysvipc/sem")) {
    if (r.size() < 4) continue;
    run::Leftover l;
    l.kind = trace::IpcKind::SemSet;
    l.key = static_cast<long>(r[0]);
    l.id = static_cast<int>(r[1]);
    l.mode = static_cast<unsigned>(r[2]) & 0777;
    l.messages = static_cast<std::uint64_t>(r[3]);
    if (r.size() >= 10) {
      l.uid = static_cast<long>(r[4]);
      l.cuid = static_cast<long>(r[6]);
      l.created = r[9];
    }
    out.push_back(l);
  }
  return out;
}

std::vector<run::Leftover> list_posix_objects(const std::filesystem::path& shm_dir,
                                              const std::filesystem::path& mqueue_dir) {
  std::vector<run::Leftover> out;
  std::error_code ec;
  for (const auto& [dir, kind] :
       {std::pair{shm_dir, trace::IpcKind::PosixShm}, std::pair{mqueue_dir, trace::IpcKind::PosixMq}}) {
    if (dir.empty()) continue;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      struct stat st {};
      if (::lstat(entry.path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      run::Leftover l;
      l.kind = kind;
      l.name = "/" + entry.path().filename().string();
      l.id = -1;
      l.mode = st.st_mode & 0777;
      l.uid = st.st_uid;
      l.created = st.st_ctime;
      l.path = entry.path().string();
      // glibc keeps a named semaphore as /dev/shm/sem.NAME.
      if (l.kind == trace::IpcKind::PosixShm && l.name.rfind("/sem.", 0) == 0) {
        l.kind = trace::IpcKind::PosixSem;
        l.name = "/" + l.name.substr(5);
      }
      if (l.kind == trace::IpcKind::PosixShm) l.bytes = static_cast<std::uint64_t>(st.st_size);
      if (l.kind == trace::IpcKind::PosixMq) {
        // The file reads "QSIZE:N NOTIFY:..." : bytes queued.
        std::ifstream in(entry.path());
        std::string word;
        in >> word;
        if (word.rfind("QSIZE:", 0) == 0) l.bytes = std::strtoull(word.c_str() + 6, nullptr, 10);
      }
      out.push_back(l);
    }
  }
  return out;
}

bool find_posix_object(run::Leftover& object, long owner) {
  if (object.name.size() < 2 || object.name[0] != '/' || object.name.find('/', 1) != std::string::npos)
    return false;
  // Only the very file the run made (its device and inode, when known), owned by the run's own uid
  // when it has one: a name the run merely opened, or one raced to name another, is never removed.
  const auto same = [&](const struct stat& st) {
    return (object.file_ino == 0 || (st.st_dev == object.file_dev && st.st_ino == object.file_ino)) &&
           (owner < 0 || static_cast<long>(st.st_uid) == owner);
  };
  if (object.kind == trace::IpcKind::PosixMq) {
    const mqd_t q = ::mq_open(object.name.c_str(), O_RDONLY | O_NONBLOCK);
    if (q == static_cast<mqd_t>(-1)) return false;
    struct stat st {};
    const bool it = ::fstat(q, &st) == 0 && same(st);
    mq_attr attr{};
    if (::mq_getattr(q, &attr) == 0) object.messages = static_cast<std::uint64_t>(attr.mq_curmsgs);
    ::mq_close(q);
    if (!it) return false;
    object.mode = st.st_mode & 0777;
    object.uid = st.st_uid;
    object.path.clear();
    return true;
  }
  const std::string prefix = object.kind == trace::IpcKind::PosixSem ? "/dev/shm/sem." : "/dev/shm/";
  const std::string path = prefix + object.name.substr(1);
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || !same(st)) return false;
  object.path = path;
  object.mode = st.st_mode & 0777;
  object.uid = st.st_uid;
  object.created = st.st_ctime;
  if (object.kind == trace::IpcKind::PosixShm) object.bytes = static_cast<std::uint64_t>(st.st_size);
  return true;
}

void reclaim(run::Leftover& object) {
  if (object.kind == trace::IpcKind::PosixMq && object.path.empty()) {  // tracked mode: by its name
    object.reclaimed = ::mq_unlink(object.name.c_str()) == 0;
    if (!object.reclaimed) object.reclaim_error = std::strerror(errno);
    return;
  }
  if (!object.path.empty()) {
    object.reclaimed = (object.kind == trace::IpcKind::Directory ? ::rmdir(object.path.c_str())
                                                                 : ::unlink(object.path.c_str())) == 0;
    if (!object.reclaimed) object.reclaim_error = std::strerror(errno);
    return;
  }
  int rc = -1;
  if (object.kind == trace::IpcKind::MsgQueue) rc = msgctl(object.id, IPC_RMID, nullptr);
  if (object.kind == trace::IpcKind::ShmSegment) rc = shmctl(object.id, IPC_RMID, nullptr);
  if (object.kind == trace::IpcKind::SemSet) rc = semctl(object.id, 0, IPC_RMID);
  object.reclaimed = rc == 0;
  if (rc != 0) object.reclaim_error = std::strerror(errno);
}

}  // namespace ipcgrade::audit
