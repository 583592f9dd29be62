#pragma once
#include <sys/stat.h>
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "grader/run/result.hpp"

namespace ipcgrade::audit {

// Files a tracked-mode run made outside its folders, on a kernel without Landlock to refuse them.
// They are removed with the run's own credentials — a process of the run's uid and gid with no
// capabilities — so that whatever a program tricks the grader into naming, the grader can remove no
// more than the program itself could have.

// Removes `path` (a folder with what is in it) as `uid`/`gid` without capabilities. Sets `reclaimed`
// or `reclaim_error` on `file`.
void remove_as(uid_t uid, gid_t gid, run::Leftover& file);
// The same for many, in one process.
void remove_all_as(uid_t uid, gid_t gid, const std::vector<run::Leftover*>& files);

// A file as a leftover: its kind, path (and the path as reports show it), mode, owner, size, ctime.
run::Leftover file_leftover(const std::string& path, const struct stat& st);

// Every name under `dirs` but the subtrees `skip` (not following links, not leaving their
// filesystems; at most 100,000 entries) owned by `uid`, deepest first, as leftovers of kind file/fifo/
// socket/directory/symlink/device: what a run with a uid of its own left in the host's world-writable
// folders, however it named them.
std::vector<run::Leftover> files_owned_by(uid_t uid, const std::vector<std::filesystem::path>& dirs,
                                          const std::vector<std::filesystem::path>& skip);

}  // namespace ipcgrade::audit
