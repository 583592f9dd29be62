// Every test binary checks, around the whole suite (and HostCleanTest around each test), that the host's IPC
// objects are exactly what they were: a leak checker whose own tests leak would be a joke.
#include "tests/host_clean.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace ipcgrade::testing {

namespace {

// Keeps the identifying columns of a row (key, id, perms, owner); drops counters and times.
std::string identity(const std::string& line, size_t columns) {
  std::istringstream in(line);
  std::string field, out;
  for (size_t i = 0; i < columns && in >> field; ++i) out += field + " ";
  return out;
}

}  // namespace

std::string host_ipc_snapshot() {
  std::vector<std::string> rows;
  for (const char* path : {"/proc/sysvipc/msg", "/proc/sysvipc/shm", "/proc/sysvipc/sem"}) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) rows.push_back(std::string(path) + ": " + identity(line, 3));
  }
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/dev/shm", ec)) {
    // The container engine's own lock files (libpod_lock, libpod_rootless_lock_UID) come and go with it.
    if (!entry.path().filename().string().starts_with("libpod"))
      rows.push_back("/dev/shm: " + entry.path().filename().string());
  }
  std::sort(rows.begin(), rows.end());
  std::string out;
  for (const auto& r : rows) out += r + "\n";
  return out;
}

namespace {

class HostStaysClean : public ::testing::EmptyTestEventListener {
  void OnTestProgramStart(const ::testing::UnitTest&) override { before_suite_ = host_ipc_snapshot(); }
  void OnTestProgramEnd(const ::testing::UnitTest&) override {
    if (host_ipc_snapshot() != before_suite_) {
      std::fprintf(stderr,
                   "FAILURE: the test suite changed the host's IPC objects\nbefore:\n%s\nafter:\n%s\n",
                   before_suite_.c_str(), host_ipc_snapshot().c_str());
      std::_Exit(1);
    }
  }
  std::string before_suite_;
};

// Registered before main() runs, in every test binary that links this file.
const bool registered = [] {
  ::testing::UnitTest::GetInstance()->listeners().Append(new HostStaysClean);
  return true;
}();

}  // namespace

}  // namespace ipcgrade::testing

namespace ipcgrade::testing {
void HostCleanTest::SetUp() {
  before_ = host_ipc_snapshot();
}
void HostCleanTest::TearDown() {
  EXPECT_EQ(before_, host_ipc_snapshot()) << "the test changed the host's System V IPC objects or /dev/shm";
}
}  // namespace ipcgrade::testing
