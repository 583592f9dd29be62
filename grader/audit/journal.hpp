#pragma once
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "grader/run/result.hpp"

namespace ipcgrade::audit {

// The journal of a tracked-mode run: with no IPC namespace to drop, what the run creates lives on
// the host, and a grader killed mid-run (SIGKILL runs no clean-up) would leave it there. So the
// scenario's supervisor appends a line for every object the moment the trace shows it created, and
// removes the journal once it has reclaimed them. A journal whose owner is dead is an orphan: the
// next ipcgrade command, or `ipcgrade audit --reclaim`, removes its objects — only those, and only
// while they still are the same objects (kind, id, key and creator uid all match).
//
// Journals live in $IPCGRADE_STATE_DIR/journal, else /var/lib/ipcgrade/journal for root, else
// $XDG_STATE_HOME/ipcgrade/journal (~/.local/state/ipcgrade/journal).
std::filesystem::path journal_dir();

class Journal {
 public:
  // `creator_uid`: the uid the run's objects are created by.
  explicit Journal(long creator_uid);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  bool ok() const { return fd_ >= 0; }
  const std::string& error() const { return error_; }
  // One line per object, written with a single append: a killed writer leaves whole lines.
  void record(const std::string& kind, int id, long key);
  // A name the run made outside its folders (tracked mode without Landlock): removed by the reclaim
  // while it is still the same file (device and inode).
  void record_file(const std::string& path, unsigned long long dev, unsigned long long ino);
  // The run has a uid of its own: every object that uid created is the run's, recorded or not.
  void record_uid();
  // The run reclaimed what it made: the journal is no longer needed.
  void remove();

 private:
  int fd_ = -1;
  long uid_;
  std::filesystem::path path_;
  std::string error_;
};

struct JournalObject {
  std::string kind;  // msg | shm | sem | path | uid (every object created by `uid`)
  int id = 0;
  long key = 0;
  long uid = 0;
  std::string path;  // kind path: the file, and the device and inode it had
  unsigned long long dev = 0, ino = 0;
};

struct OrphanJournal {
  std::filesystem::path file;
  pid_t owner = 0;
  std::vector<JournalObject> objects;
};

// Journals whose writer is no longer running.
std::vector<OrphanJournal> orphan_journals();

// Whether `object` (from list_sysv_objects) is one that an orphan journal records.
bool recorded_in(const run::Leftover& object, const std::vector<OrphanJournal>& orphans);

// Removes the objects of every orphan journal that still exist (files only while they are the same
// file), then the journals; returns the objects it found (with `reclaimed` / `reclaim_error`).
std::vector<run::Leftover> reclaim_orphans();

}  // namespace ipcgrade::audit
