#include "grader/audit/journal.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "grader/audit/files.hpp"
#include "grader/audit/sysv.hpp"
#include "grader/util/procfs.hpp"

namespace fs = std::filesystem;

namespace ipcgrade::audit {

namespace {

// Field 22 of /proc/PID/stat: when the process started, in clock ticks since boot. With the pid it
// names one process for good: a reused pid has another start time. Empty for a process that is gone
// or a zombie (a killed supervisor whose parent died too may wait a while to be reaped).
std::string start_time(pid_t pid) {
  const std::vector<std::string> f = util::proc_stat_fields(std::to_string(pid));  // f[0] is field 3
  if (f.empty() || f[0] == "Z" || f[0] == "X") return {};
  return f.size() > 19 ? f[19] : std::string();
}

bool alive(pid_t pid, const std::string& started) {
  if (::kill(pid, 0) != 0 && errno == ESRCH) return false;
  return !started.empty() && start_time(pid) == started;
}

}  // namespace

fs::path journal_dir() {
  if (const char* dir = std::getenv("IPCGRADE_STATE_DIR"); dir && *dir) return fs::path(dir) / "journal";
  if (::geteuid() == 0) return "/var/lib/ipcgrade/journal";
  if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg && *xdg) return fs::path(xdg) / "ipcgrade/journal";
  const char* home = std::getenv("HOME");
  return fs::path(home && *home ? home : "/tmp") / ".local/state/ipcgrade/journal";
}

Journal::Journal(long creator_uid) : uid_(creator_uid) {
  std::error_code ec;
  const fs::path dir = journal_dir();
  fs::create_directories(dir, ec);
  const pid_t self = ::getpid();
  const std::string started = start_time(self);
  path_ = dir / fmt::format("run-{}-{}.journal", self, started);
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    error_ = fmt::format("cannot write the journal {}: {}", path_.string(), std::strerror(errno));
    return;
  }
  const std::string header = fmt::format("owner {} {}\n", self, started);
  (void)!::write(fd_, header.data(), header.size());
}

Journal::~Journal() {
  if (fd_ >= 0) ::close(fd_);
}

void Journal::record(const std::string& kind, int id, long key) {
  if (fd_ < 0) return;
  const std::string line = fmt::format("{} {} {} {}\n", kind, id, key, uid_);
  // No fsync: the journal guards against a killed grader, not a crashed machine (which takes the IPC
  // objects with it).
  (void)!::write(fd_, line.data(), line.size());
}

void Journal::record_file(const std::string& path, unsigned long long dev, unsigned long long ino) {
  if (fd_ < 0) return;
  // The path in hex: a name the run chose may hold spaces and newlines.
  std::string hex;
  for (unsigned char c : path) hex += fmt::format("{:02x}", c);
  const std::string line = fmt::format("path {} {} {} {}\n", dev, ino, uid_, hex);
  (void)!::write(fd_, line.data(), line.size());
}

void Journal::record_uid() {
  if (fd_ < 0) return;
  const std::string line = fmt::format("uid {}\n", uid_);
  (void)!::write(fd_, line.data(), line.size());
}

void Journal::remove() {
  if (fd_ < 0) return;
  ::close(fd_);
  fd_ = -1;
  std::error_code ec;
  fs::remove(path_, ec);
}

std::vector<OrphanJournal> orphan_journals() {
  std::vector<OrphanJournal> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(journal_dir(), ec)) {
    if (entry.path().extension() != ".journal") continue;
    std::ifstream in(entry.path());
    std::string word, started;
    OrphanJournal j;
    j.file = entry.path();
    if (!(in >> word >> j.owner >> started) || word != "owner") continue;
    if (alive(j.owner, started)) continue;
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      JournalObject o;
      if (!(fields >> o.kind)) continue;
      if (o.kind == "path") {
        std::string hex;
        if (!(fields >> o.dev >> o.ino >> o.uid >> hex) || hex.size() % 2 != 0) continue;
        // A line that is not what record_file() writes is skipped, never trusted or fatal.
        const auto digit = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
        if (!std::all_of(hex.begin(), hex.end(), digit)) continue;
        for (size_t i = 0; i < hex.size(); i += 2)
          o.path += static_cast<char>(std::strtol(hex.substr(i, 2).c_str(), nullptr, 16));
      } else if (o.kind == "uid") {
        if (!(fields >> o.uid)) continue;
      } else if (!(fields >> o.id >> o.key >> o.uid)) {
        continue;
      }
      j.objects.push_back(o);
    }
    out.push_back(std::move(j));
  }
  return out;
}

bool recorded_in(const run::Leftover& object, const std::vector<OrphanJournal>& orphans) {
  for (const auto& j : orphans) {
    for (const auto& o : j.objects) {
      if (o.kind == trace::ipc_kind_name(object.kind) && o.id == object.id && o.key == object.key &&
          o.uid == object.cuid)
        return true;
      // A run's own uid (never root, never the grader's): whatever it created was the run's.
      if (o.kind == "uid" && o.uid == object.cuid && o.uid > 0 && o.uid != static_cast<long>(::geteuid()))
        return true;
    }
  }
  return false;
}

std::vector<run::Leftover> reclaim_orphans() {
  const auto orphans = orphan_journals();
  std::vector<run::Leftover> found;
  if (orphans.empty()) return found;
  for (auto& object : list_sysv_objects()) {
    if (!recorded_in(object, orphans)) continue;
    reclaim(object);
    found.push_back(object);
  }
  // Files newest first, so that a folder the run made is empty by the time its turn comes.
  for (const auto& j : orphans) {
    for (auto o = j.objects.rbegin(); o != j.objects.rend(); ++o) {
      struct stat st {};
      if (o->kind != "path" || ::lstat(o->path.c_str(), &st) != 0) continue;
      if (st.st_dev != o->dev || st.st_ino != o->ino) continue;
      run::Leftover file = file_leftover(o->path, st);
      // As the uid the run had: a forged line names nothing its writer could not remove itself.
      const auto uid = static_cast<uid_t>(o->uid);
      remove_as(uid, uid == ::geteuid() ? ::getegid() : static_cast<gid_t>(uid), file);
      found.push_back(file);
    }
  }
  std::error_code ec;
  for (const auto& j : orphans) fs::remove(j.file, ec);
  return found;
}

}  // namespace ipcgrade::audit
