// The submission copy: what a grader may copy of a folder a student controls, and what it must not.
#include "grader/util/copy_tree.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "grader/build/scratch.hpp"
#include "grader/util/atomic_file.hpp"

using namespace ipcgrade;
namespace fs = std::filesystem;

namespace {

class CopyTree : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "ipcgrade-test-XXXXXX").string();
    root_ = ::mkdtemp(tmpl.data());
    from_ = root_ / "from";
    to_ = root_ / "to";
    fs::create_directories(from_);
    fs::create_directories(to_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  void write(const fs::path& relative, const std::string& text) {
    fs::create_directories((from_ / relative).parent_path());
    std::ofstream(from_ / relative) << text;
  }

  util::CopyResult copy(std::uint64_t max_bytes = 0) {
    const int from = ::open(from_.c_str(), O_RDONLY | O_DIRECTORY);
    const int to = ::open(to_.c_str(), O_RDONLY | O_DIRECTORY);
    util::CopyResult r = util::copy_tree(from, from_.string(), to, {max_bytes});
    ::close(from);
    ::close(to);
    return r;
  }

  fs::path root_, from_, to_;
};

std::string kinds(const util::CopyResult& r) {
  std::string out;
  for (const auto& s : r.skipped) out += s.path + ":" + s.kind + " ";
  return out;
}

}  // namespace

TEST_F(CopyTree, FilesAndFoldersAreCopiedWithTheirModesButNoSetIdBits) {
  write("a.c", "int main;\n");
  write("src/deep/b.c", "b\n");
  fs::permissions(from_ / "a.c", fs::perms(04755));
  const auto r = copy();
  EXPECT_TRUE(r.refused.empty());
  EXPECT_TRUE(r.skipped.empty()) << kinds(r);
  EXPECT_EQ(r.files, 2u);
  EXPECT_EQ(r.bytes, 12u);
  EXPECT_EQ(util::read_file(to_ / "src/deep/b.c"), "b\n");
  struct stat st {};
  ASSERT_EQ(::stat((to_ / "a.c").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755u);
}

TEST_F(CopyTree, FifosSocketsAndDevicesAreSkippedAndNamedWithoutBlocking) {
  write("ok.c", "x");
  ASSERT_EQ(::mkfifo((from_ / "fifo").c_str(), 0644), 0);
  const int sock = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", (from_ / "sock").c_str());
  ASSERT_EQ(::bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  // A device only where root may make one (a container's root lacks CAP_MKNOD).
  const bool root = ::geteuid() == 0 && ::mknod((from_ / "null").c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0;
  const auto r = copy();
  ::close(sock);
  EXPECT_EQ(kinds(r), std::string("fifo:FIFO ") + (root ? "null:device " : "") + "sock:socket ");
  EXPECT_EQ(r.files, 1u);
  EXPECT_FALSE(fs::exists(fs::symlink_status(to_ / "fifo")));
  EXPECT_EQ(r.describe_skipped().substr(0, 51), "skipped (not copied into the working folder):\n  fif");
}

TEST_F(CopyTree, ASymlinkIsKeptOnlyWhenItStaysInside) {
  write("src/real.c", "real\n");
  write("secret", "in\n");
  fs::create_symlink("src/real.c", from_ / "inside");            // relative, inside
  fs::create_symlink(from_ / "src", from_ / "absolute_inside");  // absolute, inside
  fs::create_symlink("/etc/passwd", from_ / "outside");          // absolute, outside
  fs::create_symlink("../../etc/passwd", from_ / "src/climb");   // climbs out
  fs::create_symlink("missing", from_ / "dangling");             // leads nowhere
  fs::create_symlink("hop", from_ / "loop");                     // a loop
  fs::create_symlink("loop", from_ / "hop");
  fs::create_symlink("outside", from_ / "chained");  // inside, then out
  const auto r = copy();
  EXPECT_EQ(kinds(r),
            "chained:symlink dangling:symlink hop:symlink loop:symlink outside:symlink src/climb:symlink ");
  EXPECT_EQ(fs::read_symlink(to_ / "inside"), "src/real.c");
  EXPECT_EQ(fs::read_symlink(to_ / "absolute_inside"), "src");  // rewritten relative
  EXPECT_EQ(util::read_file(to_ / "inside"), "real\n");
}

TEST_F(CopyTree, AHoleStaysAHole) {
  const int fd = ::open((from_ / "sparse").c_str(), O_CREAT | O_WRONLY, 0644);
  ASSERT_EQ(::pwrite(fd, "end", 3, (32 << 20) - 3), 3);
  ::close(fd);
  const auto r = copy();
  EXPECT_EQ(r.bytes, 32u << 20);
  struct stat st {};
  ASSERT_EQ(::stat((to_ / "sparse").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 32 << 20);
  EXPECT_LT(st.st_blocks * 512, 1 << 20) << "the copy filled the hole";
}

TEST_F(CopyTree, ASubmissionOverTheLimitIsRefusedWholeByItsApparentSize) {
  write("a.c", "x");
  const int fd = ::open((from_ / "sparse").c_str(), O_CREAT | O_WRONLY, 0644);
  ASSERT_EQ(::ftruncate(fd, 1LL << 30), 0);
  ::close(fd);
  const auto r = copy(64ULL << 20);
  EXPECT_EQ(r.refused,
            "the submission holds 1.0 GiB (apparent size, holes included), over the submission limit 64 MiB");
  EXPECT_TRUE(fs::is_empty(to_));
}

TEST_F(CopyTree, ScratchIsRemovedWhenTheSubmissionCannotBeOpened) {
  auto scratches = [] {
    size_t n = 0;
    for (const auto& e : fs::directory_iterator(fs::temp_directory_path()))
      n += e.path().filename().string().rfind("ipcgrade-", 0) == 0 &&
           e.path().filename().string().rfind("ipcgrade-test-", 0) != 0;
    return n;
  };
  const size_t before = scratches();
  EXPECT_THROW(build::Scratch(root_ / "no-such-folder", 1 << 20), std::exception);
  EXPECT_EQ(scratches(), before);
}

TEST_F(CopyTree, AFileUnderManyNamesIsCopiedOnceAndLinked) {
  write("big", std::string(1 << 20, 'x'));
  fs::create_directories(from_ / "links");
  for (int i = 0; i < 100; ++i) fs::create_hard_link(from_ / "big", from_ / "links" / std::to_string(i));
  const auto r = copy(2 << 20);  // 101 MiB by names, 1 MiB by files: under the limit
  EXPECT_TRUE(r.refused.empty()) << r.refused;
  EXPECT_EQ(r.files, 1u);
  EXPECT_EQ(r.bytes, 1u << 20);
  EXPECT_EQ(fs::hard_link_count(to_ / "big"), 101u);
  EXPECT_TRUE(fs::equivalent(to_ / "big", to_ / "links" / "99"));
}
