// The copy of a submission tree: the input is a little program that builds a hostile tree (folders,
// files with any mode, links to anywhere, FIFOs, hard links), then the grader copies it. Beyond not
// crashing, the copy must keep its promises (grader/util/copy_tree.hpp); a broken one aborts, which
// libFuzzer reports as a crash:
//  - the copy holds only folders, regular files and links, with no set-id bit;
//  - every link in the copy is relative and resolves to something inside the copy;
//  - nothing was written beside the two trees, and nothing in the source changed.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

#include "grader/util/copy_tree.hpp"
#include "tests/fuzz/fuzz_file.hpp"

namespace fs = std::filesystem;

namespace {

struct Input {
  const std::uint8_t* data;
  size_t size;
  size_t at = 0;
  bool done() const { return at >= size; }
  std::uint8_t byte() { return at < size ? data[at++] : 0; }
  std::string bytes(size_t n) {
    std::string out;
    while (out.size() < n && at < size) out += static_cast<char>(data[at++]);
    return out;
  }
};

// A name of one path component: any bytes but '/' and NUL, never "." or "..".
std::string name_from(Input& in) {
  std::string name = in.bytes(1 + in.byte() % 8);
  for (char& c : name) {
    if (c == '/' || c == '\0') c = '_';
  }
  if (name.empty() || name == "." || name == "..") name = "n";
  return name;
}

[[noreturn]] void broken(const std::string& what) {
  ::write(2, what.data(), what.size());
  ::write(2, "\n", 1);
  std::abort();
}

bool inside(const fs::path& p, const fs::path& root) {
  const auto rel = p.lexically_relative(root);
  return !rel.empty() && *rel.begin() != "..";
}

void check_copy(const fs::path& to) {
  std::error_code ec;
  const fs::path root = fs::canonical(to, ec);
  for (auto it = fs::recursive_directory_iterator(to, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    struct stat st;
    if (::lstat(it->path().c_str(), &st) != 0) broken("copy_tree: an entry of the copy cannot be read");
    if (S_ISLNK(st.st_mode)) {
      const auto target = fs::read_symlink(it->path(), ec);
      if (target.is_absolute()) broken("copy_tree: an absolute link in the copy: " + target.string());
      const auto resolved = fs::canonical(it->path(), ec);
      if (ec || !inside(resolved, root))
        broken("copy_tree: a link in the copy leads out: " + target.string());
      ec.clear();
    } else if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
      broken("copy_tree: the copy holds something that is neither a file, a folder nor a link");
    } else if (st.st_mode & (S_ISUID | S_ISGID)) {
      broken("copy_tree: a set-id bit survived the copy");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  const fs::path& base = ipcgrade::fuzz::input_folder();
  const fs::path from = base / "from", to = base / "to";
  std::error_code ec;
  for (const auto& p : {from, to}) {
    fs::remove_all(p, ec);
    fs::create_directory(p, ec);
  }

  // Build the tree: each step acts inside the current folder of the source.
  Input in{data, size};
  fs::path here = from;
  int steps = 0;
  while (!in.done() && ++steps < 64) {
    const std::uint8_t op = in.byte() % 8;
    const fs::path at = here / name_from(in);
    switch (op) {
      case 0:
        ::mkdir(at.c_str(), 0700 | (in.byte() & 07777));
        if (fs::is_directory(at, ec) && !fs::is_symlink(at, ec)) here = at;
        break;
      case 1: {
        const int fd = ::open(at.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0) {
          const std::string content = in.bytes(in.byte());
          (void)::write(fd, content.data(), content.size());
          if (in.byte() & 1) (void)::ftruncate(fd, 1 << 20);  // a hole
          ::fchmod(fd, (in.byte() << 4 | in.byte()) & 07777);
          ::close(fd);
        }
        break;
      }
      case 2: {  // a link to anywhere: raw bytes, up the tree, absolute into or out of it
        std::string target = in.bytes(in.byte() % 24);
        for (char& c : target) {
          if (c == '\0') c = '.';
        }
        const std::uint8_t how = in.byte() % 4;
        if (how == 1) target = from.string() + "/" + target;
        if (how == 2) target = "../../" + target;
        if (how == 3) target = "/" + target;
        ::symlink(target.c_str(), at.c_str());
        break;
      }
      case 3:
        ::mkfifo(at.c_str(), 0600);
        break;
      case 4: {  // a hard link to something already made
        for (const auto& e : fs::directory_iterator(here, ec)) {
          ::link(e.path().c_str(), at.c_str());
          break;
        }
        break;
      }
      case 5:
        if (here != from) here = here.parent_path();
        break;
      case 6:  // an unreadable folder or file
        ::chmod(here.c_str(), in.byte() & 0700);
        break;
      default:
        ::mkdir(at.c_str(), 0755);
        break;
    }
  }
  ::chmod(from.c_str(), 0755);

  const int from_fd = ::open(from.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const int to_fd = ::open(to.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (from_fd >= 0 && to_fd >= 0) {
    ipcgrade::util::CopyLimits limits;
    limits.max_bytes = 8 << 20;
    limits.max_entries = 200;
    (void)ipcgrade::util::copy_tree(from_fd, from.string(), to_fd, limits);
    check_copy(to);
    for (const auto& e : fs::directory_iterator(base, ec)) {
      const auto name = e.path().filename();
      if (name != "from" && name != "to") broken("copy_tree: something was written beside the trees");
    }
  }
  if (from_fd >= 0) ::close(from_fd);
  if (to_fd >= 0) ::close(to_fd);
  return 0;
}
