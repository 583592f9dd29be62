#pragma once
#include <gtest/gtest.h>

#include <string>

namespace ipcgrade::testing {

// A snapshot of the host's System V IPC objects (every row of /proc/sysvipc/{msg,shm,sem} minus the
// ever-changing times) and of /dev/shm, for asserting that grading left the host as it found it.
std::string host_ipc_snapshot();

// A fixture that fails any test which changes the host's IPC objects.
class HostCleanTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

 private:
  std::string before_;
};

}  // namespace ipcgrade::testing
