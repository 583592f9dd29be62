#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace ipcgrade::util {

// Something of a submission that was not copied, and why.
struct Skipped {
  std::string path;  // relative to the submission
  std::string kind;  // FIFO | socket | device | symlink | unreadable
  std::string why;   // "a FIFO", "points outside the submission", ...
};

struct CopyResult {
  std::uint64_t bytes = 0;  // apparent size of the regular files copied (holes included)
  std::size_t files = 0;    // regular files copied
  std::vector<Skipped> skipped;
  std::string refused;  // set when the tree was too large to copy: then nothing was copied
  std::string error;    // set when the destination refused a write (e.g. full): the copy is partial

  // "skipped: fifo (a FIFO), link (a symlink that points outside the submission)" for the build log.
  std::string describe_skipped() const;
};

struct CopyLimits {
  std::uint64_t max_bytes = 0;       // 0: no limit on the apparent size
  std::size_t max_entries = 100000;  // files, folders and links together
};

// Copies the tree under the open folder `from` into the open, empty folder `to`, as a grader must copy
// what a student hands in: regular files and folders only (modes kept, set-id bits dropped, holes kept
// as holes); a symbolic link only when it resolves, inside the tree, to a file or folder of the tree
// (it is then written as a relative link); FIFOs, sockets, device nodes and links that lead out of the
// tree or nowhere are skipped and named. Nothing is followed out of the tree and nothing is opened that
// could block (a FIFO) or act (a device). The tree is measured first: above `limits` nothing is copied
// and `refused` says why. `from_path` is the tree's absolute path, so that absolute links into it can be
// told apart from links out of it.
CopyResult copy_tree(int from, const std::string& from_path, int to, const CopyLimits& limits);

// Removes everything inside the open folder `dir`, never following a link.
void clear_tree(int dir);

}  // namespace ipcgrade::util
