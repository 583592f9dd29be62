#include "grader/util/copy_tree.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "grader/util/units.hpp"

namespace ipcgrade::util {

namespace {

// A path inside the tree, as its components.
using Parts = std::vector<std::string>;

std::string join(const Parts& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out.empty() ? "." : out;
}

struct Dir {
  DIR* dir = nullptr;
  ~Dir() {
    if (dir) ::closedir(dir);
  }
};

// The names in an open folder (not "." and ".."), in a stable order.
std::vector<std::string> names_in(int fd) {
  std::vector<std::string> out;
  const int dup = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (dup < 0) return out;
  Dir d{::fdopendir(dup)};
  if (!d.dir) {
    ::close(dup);
    return out;
  }
  // The duplicate shares the folder's read position with `fd`, which an earlier pass left at the end.
  ::rewinddir(d.dir);
  while (const dirent* e = ::readdir(d.dir)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

int open_dir_at(int at, const std::string& name) {
  return ::openat(at, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

const char* special_kind(mode_t mode) {
  if (S_ISFIFO(mode)) return "FIFO";
  if (S_ISSOCK(mode)) return "socket";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "device";
  return nullptr;
}

const char* special_why(mode_t mode) {
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  return "a block device";
}

class Copier {
 public:
  Copier(int root, std::string root_path, const CopyLimits& limits)
      : root_(root), root_path_(std::move(root_path)), limits_(limits) {}

  CopyResult run(int to) {
    to_root_ = to;
    measure(root_, {});
    if (result_.refused.empty() && limits_.max_bytes && measured_bytes_ > limits_.max_bytes)
      result_.refused = fmt::format(
          "the submission holds {} (apparent size, holes included), over the "
          "submission limit {}",
          util::approx_size(measured_bytes_), util::format_size(limits_.max_bytes));
    if (!result_.refused.empty()) {
      result_.skipped.clear();
      return result_;
    }
    result_.skipped.clear();
    copy_dir(root_, to, {});
    return result_;
  }

 private:
  // First pass: the apparent size and the number of entries, without opening any file.
  void measure(int dir, const Parts& at) {
    if (at.size() > kMaxDepth) {
      result_.refused = fmt::format("the submission nests folders deeper than {}", kMaxDepth);
      return;
    }
    for (const auto& name : names_in(dir)) {
      if (!result_.refused.empty()) return;
      if (++entries_ > limits_.max_entries) {
        result_.refused =
            fmt::format("the submission holds more than {} files and folders", limits_.max_entries);
        return;
      }
      struct stat st {};
      if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      // A file under several names (hard links) is counted, and later copied, once.
      if (S_ISREG(st.st_mode) && (st.st_nlink < 2 || measured_inodes_.insert({st.st_dev, st.st_ino}).second))
        measured_bytes_ += static_cast<std::uint64_t>(st.st_size);
      if (S_ISDIR(st.st_mode)) {
        const int sub = open_dir_at(dir, name);
        if (sub < 0) continue;
        Parts next = at;
        next.push_back(name);
        measure(sub, next);
        ::close(sub);
      }
    }
  }

  void skip(const Parts& at, const std::string& name, const char* kind, std::string why) {
    Parts p = at;
    p.push_back(name);
    result_.skipped.push_back({join(p), kind, std::move(why)});
  }

  void copy_dir(int from, int to, const Parts& at) {
    for (const auto& name : names_in(from)) {
      if (!result_.error.empty()) return;
      struct stat st {};
      if (::fstatat(from, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        skip(at, name, "unreadable", std::strerror(errno));
        continue;
      }
      if (const char* kind = special_kind(st.st_mode)) {
        skip(at, name, kind, special_why(st.st_mode));
      } else if (S_ISLNK(st.st_mode)) {
        copy_link(from, to, at, name);
      } else if (S_ISDIR(st.st_mode)) {
        const int sub = open_dir_at(from, name);
        if (sub < 0) {
          skip(at, name, "unreadable", std::strerror(errno));
          continue;
        }
        // The owner keeps access to what it made; set-id and sticky bits are not copied.
        if (::mkdirat(to, name.c_str(), (st.st_mode & 0777) | 0700) != 0 && errno != EEXIST) {
          result_.error = fmt::format("cannot create {}: {}", join(at) + "/" + name, std::strerror(errno));
          ::close(sub);
          return;
        }
        const int dest = open_dir_at(to, name);
        if (dest >= 0) {
          Parts next = at;
          next.push_back(name);
          copy_dir(sub, dest, next);
          ::close(dest);
        }
        ::close(sub);
      } else if (S_ISREG(st.st_mode)) {
        Parts path = at;
        path.push_back(name);
        // A further name of a file already copied becomes a hard link to the copy: copied name by name,
        // a file linked a thousand times over would take a thousand times its size.
        if (st.st_nlink > 1) {
          const auto [first, fresh] = linked_.try_emplace({st.st_dev, st.st_ino}, path);
          if (!fresh) {
            if (::linkat(to_root_, join(first->second).c_str(), to, name.c_str(), 0) != 0)
              result_.error = fmt::format("cannot link {}: {}", join(path), std::strerror(errno));
            continue;
          }
        }
        copy_file(from, to, at, name);
      }
    }
  }

  // Copies one regular file, holes kept as holes: only the data extents are read and written.
  void copy_file(int from, int to, const Parts& at, const std::string& name) {
    // O_NONBLOCK: if the entry was swapped for a FIFO since it was looked at, the open must not hang.
    const int in = ::openat(from, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    struct stat st {};
    if (in < 0 || ::fstat(in, &st) != 0 || !S_ISREG(st.st_mode)) {
      if (in >= 0) ::close(in);
      skip(at, name, "unreadable", in < 0 ? std::strerror(errno) : "changed while it was copied");
      return;
    }
    const int out = ::openat(to, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                             (st.st_mode & 0777) | 0600);
    if (out < 0) {
      result_.error = fmt::format("cannot create {}: {}", name, std::strerror(errno));
      ::close(in);
      return;
    }
    const off_t size = st.st_size;
    off_t pos = 0;
    std::unique_ptr<char[]> buf(new char[1 << 16]);
    while (pos < size && result_.error.empty()) {
      off_t data = ::lseek(in, pos, SEEK_DATA);
      if (data < 0) break;  // only a hole is left
      off_t hole = ::lseek(in, data, SEEK_HOLE);
      if (hole < 0) hole = size;
      for (off_t p = data; p < hole;) {
        const ssize_t n = ::pread(in, buf.get(), std::min<off_t>(hole - p, 1 << 16), p);
        if (n <= 0) {
          hole = p;
          break;
        }
        if (::pwrite(out, buf.get(), static_cast<size_t>(n), p) != n) {
          result_.error = fmt::format("cannot write {}: {}", name, std::strerror(errno));
          break;
        }
        p += n;
      }
      pos = hole;
    }
    if (result_.error.empty() && ::ftruncate(out, size) != 0)
      result_.error = fmt::format("cannot write {}: {}", name, std::strerror(errno));
    ::close(in);
    ::close(out);
    result_.bytes += static_cast<std::uint64_t>(size);
    ++result_.files;
  }

  // Where a link leads, followed inside the tree only: the components of its final target, or nothing
  // when it leaves the tree, loops or dangles.
  std::optional<Parts> resolve(Parts base, const std::string& target, int depth) const {
    if (depth > 40) return std::nullopt;
    std::string rest = target;
    if (!target.empty() && target[0] == '/') {
      // Absolute: inside the tree only when it names the tree's own path.
      const std::string prefix = root_path_ + "/";
      if (target == root_path_) {
        rest.clear();
      } else if (target.compare(0, prefix.size(), prefix) == 0) {
        rest = target.substr(prefix.size());
      } else {
        return std::nullopt;
      }
      base.clear();
    }
    Parts at = base;
    std::size_t start = 0;
    while (start <= rest.size()) {
      std::size_t slash = rest.find('/', start);
      if (slash == std::string::npos) slash = rest.size();
      const std::string part = rest.substr(start, slash - start);
      start = slash + 1;
      if (part.empty() || part == ".") continue;
      if (part == "..") {
        if (at.empty()) return std::nullopt;
        at.pop_back();
        continue;
      }
      at.push_back(part);
      struct stat st {};
      if (::fstatat(root_, join(at).c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return std::nullopt;
      if (S_ISLNK(st.st_mode)) {
        char text[4096];
        const ssize_t n = ::readlinkat(root_, join(at).c_str(), text, sizeof text - 1);
        if (n <= 0) return std::nullopt;
        at.pop_back();
        auto next = resolve(at, std::string(text, static_cast<std::size_t>(n)), depth + 1);
        if (!next) return std::nullopt;
        at = *next;
      }
    }
    struct stat st {};
    if (::fstatat(root_, join(at).c_str(), &st, 0) != 0) return std::nullopt;
    if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) return std::nullopt;
    return at;
  }

  void copy_link(int from, int to, const Parts& at, const std::string& name) {
    char text[4096];
    const ssize_t n = ::readlinkat(from, name.c_str(), text, sizeof text - 1);
    if (n <= 0) {
      skip(at, name, "symlink", "a symlink that cannot be read");
      return;
    }
    const auto target = resolve(at, std::string(text, static_cast<std::size_t>(n)), 0);
    if (!target) {
      skip(at, name, "symlink", "a symlink that points outside the submission or nowhere");
      return;
    }
    // Relative, so that it resolves the same way wherever the copy lives.
    std::size_t common = 0;
    while (common < at.size() && common < target->size() && at[common] == (*target)[common]) ++common;
    std::string relative;
    for (std::size_t i = common; i < at.size(); ++i) relative += "../";
    for (std::size_t i = common; i < target->size(); ++i) {
      relative += (*target)[i];
      if (i + 1 < target->size()) relative += '/';
    }
    if (relative.empty()) relative.push_back('.');
    if (::symlinkat(relative.c_str(), to, name.c_str()) != 0)
      result_.error = fmt::format("cannot create {}: {}", name, std::strerror(errno));
  }

  static constexpr std::size_t kMaxDepth = 64;
  int root_;
  std::string root_path_;
  CopyLimits limits_;
  int to_root_ = -1;
  std::uint64_t measured_bytes_ = 0;
  std::set<std::pair<dev_t, ino_t>> measured_inodes_;
  std::map<std::pair<dev_t, ino_t>, Parts> linked_;  // the copy of each file with several names
  std::size_t entries_ = 0;
  CopyResult result_;
};

}  // namespace

std::string CopyResult::describe_skipped() const {
  if (skipped.empty()) return "";
  std::string out = "skipped (not copied into the working folder):";
  for (std::size_t i = 0; i < skipped.size() && i < 50; ++i)
    out += fmt::format("\n  {} ({})", skipped[i].path, skipped[i].why);
  if (skipped.size() > 50) out += fmt::format("\n  ... and {} more", skipped.size() - 50);
  return out;
}

CopyResult copy_tree(int from, const std::string& from_path, int to, const CopyLimits& limits) {
  return Copier(from, from_path, limits).run(to);
}

void clear_tree(int dir) {
  for (const auto& name : names_in(dir)) {
    struct stat st {};
    if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      const int sub = open_dir_at(dir, name);
      if (sub >= 0) {
        clear_tree(sub);
        ::close(sub);
      }
      ::unlinkat(dir, name.c_str(), AT_REMOVEDIR);
    } else {
      ::unlinkat(dir, name.c_str(), 0);
    }
  }
}

}  // namespace ipcgrade::util
