// The wall inventory: the table "The wall inventory" of docs/isolation.md, row by row, in every isolation
// mode this machine has. One probe program (walls/probe.c) tries each thing the table lists and prints
// what it got; each mode's column says what the docs promise there. A row the table has and the probe does
// not try fails, as does a row the probe tries and the table does not have, and a mode the machine gives
// that the table has no column for: a wall cannot be added, moved or dropped without its row.
#include <netinet/in.h>
#include <sched.h>
#include <sys/ipc.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/host_clean.hpp"
#include "tests/run_cli.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace ipcgrade::testing;

namespace {

// The table as the docs write it: columns are the modes, each row a probe row with the call whose
// refusal the report lists (or "—") and one cell per mode.
struct Inventory {
  std::vector<std::string> modes;
  struct Row {
    std::string id, call;
    std::vector<std::string> cells;
  };
  std::vector<Row> rows;
};

// The cells of a Markdown table row; "\|" is a '|' inside a cell.
std::vector<std::string> cells_of(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  auto flush = [&] {
    const auto b = cell.find_first_not_of(' '), e = cell.find_last_not_of(' ');
    out.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
    cell.clear();
  };
  for (size_t i = 1; i < line.size(); ++i) {
    if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == '|') {
      cell += '|';
      ++i;
    } else if (line[i] == '|') {
      flush();
    } else {
      cell += line[i];
    }
  }
  return out;
}

std::string unquote(const std::string& cell) {
  return cell.size() >= 2 && cell.front() == '`' && cell.back() == '`' ? cell.substr(1, cell.size() - 2)
                                                                       : cell;
}

Inventory read_inventory() {
  std::ifstream in(std::string(SOURCE_DIR) + "/docs/isolation.md");
  std::string line;
  while (std::getline(in, line) && line != "## The wall inventory") {
  }
  Inventory inv;
  while (std::getline(in, line) && line.rfind("## ", 0) != 0) {
    if (line.rfind("| ", 0) != 0) continue;
    const auto cells = cells_of(line);
    if (inv.modes.empty()) {
      inv.modes.assign(cells.begin() + 3, cells.end());
    } else if (cells.size() == inv.modes.size() + 3 && cells[0].rfind("---", 0) != 0) {
      inv.rows.push_back({unquote(cells[0]), unquote(cells[2]), {cells.begin() + 3, cells.end()}});
    }
  }
  return inv;
}

// What the probe printed: row -> result ("EPERM", "ok", "EAGAIN (1 of 6 made)").
std::map<std::string, std::string> probe_lines(const std::string& out) {
  std::map<std::string, std::string> rows;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    const auto colon = line.find(": ");
    if (colon != std::string::npos) rows[line.substr(0, colon)] = line.substr(colon + 2);
  }
  return rows;
}

// A cell: alternatives separated by " or ", each an error name (or `ok`), with ", listed" where the
// report's `refused` must name the call, and ", at most N made" where the probe counts what it made.
struct Expected {
  std::string result;
  bool listed = false;
  int at_most = -1;
};

std::vector<Expected> expected_of(const std::string& cell) {
  std::vector<Expected> out;
  size_t from = 0;
  while (from <= cell.size()) {
    const size_t or_at = cell.find(" or ", from);
    std::string alt = cell.substr(from, or_at == std::string::npos ? std::string::npos : or_at - from);
    Expected e;
    e.result = alt.substr(0, alt.find(','));
    e.listed = alt.find(", listed") != std::string::npos;
    if (const auto most = alt.find(", at most "); most != std::string::npos)
      e.at_most = std::stoi(alt.substr(most + 10));
    out.push_back(e);
    if (or_at == std::string::npos) break;
    from = or_at + 4;
  }
  return out;
}

// The alternative of the cell that the probe's result meets, if any.
std::optional<Expected> met(const std::string& cell, const std::string& got) {
  const std::string bare = got.substr(0, got.find(' '));
  for (const auto& e : expected_of(cell)) {
    if (e.result != bare) continue;
    if (e.at_most >= 0) {
      const auto open = got.find('(');
      if (open == std::string::npos || std::stoi(got.substr(open + 1)) > e.at_most) continue;
    }
    return e;
  }
  return std::nullopt;
}

class Walls : public HostCleanTest {
 protected:
  void SetUp() override {
    HostCleanTest::SetUp();
    ::setenv("IPCGRADE_STATE_DIR", state_.path().c_str(), 1);
    tag_ = std::to_string(::getpid());
    fs::create_directories(dir_.path() / "student");
    fs::copy_file(fs::path(WALLS_DIR) / "probe", dir_.path() / "student" / "probe");
    // The host's things the probe reaches for.
    host_file_ = fs::temp_directory_path() / ("ipcgrade-walls-" + tag_ + ".txt");
    std::ofstream(host_file_) << "the host's\n";
    fs::permissions(host_file_, fs::perms(0644));
    host_socket_path_ = fs::temp_directory_path() / ("ipcgrade-walls-" + tag_ + ".sock");
    host_socket_ = listener(AF_UNIX, host_socket_path_.string(), false);
    abstract_ = listener(AF_UNIX, "ipcgrade-walls-" + tag_, true);
    tcp_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(tcp_, reinterpret_cast<sockaddr*>(&in), sizeof in), 0);
    ASSERT_EQ(::listen(tcp_, 4), 0);
    socklen_t len = sizeof in;
    ::getsockname(tcp_, reinterpret_cast<sockaddr*>(&in), &len);
    port_ = ntohs(in.sin_port);
    key_ = static_cast<key_t>(0x3a110000 | (::getpid() & 0xffff));
    sem_ = ::semget(IPC_PRIVATE, 1, IPC_CREAT | 0666);
    msg_ = ::msgget(key_, IPC_CREAT | IPC_EXCL | 0666);
    shm_ = ::shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0666);
    ASSERT_TRUE(sem_ >= 0 && msg_ >= 0 && shm_ >= 0) << std::strerror(errno);
    ASSERT_EQ(::semctl(sem_, 0, SETVAL, 7), 0);
  }

  void TearDown() override {
    ::semctl(sem_, 0, IPC_RMID);
    ::msgctl(msg_, IPC_RMID, nullptr);
    ::shmctl(shm_, IPC_RMID, nullptr);
    for (int fd : {host_socket_, abstract_, tcp_}) ::close(fd);
    std::error_code ec;
    fs::remove(host_socket_path_, ec);
    fs::remove(host_file_, ec);
    HostCleanTest::TearDown();
  }

  static int listener(int family, const std::string& name, bool abstract) {
    const int s = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_un un{};
    un.sun_family = AF_UNIX;
    name.copy(un.sun_path + (abstract ? 1 : 0), sizeof un.sun_path - 2);
    const socklen_t len = abstract ? static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size())
                                   : static_cast<socklen_t>(sizeof un);
    if (::bind(s, reinterpret_cast<sockaddr*>(&un), len) != 0 || ::listen(s, 4) != 0) return -1;
    if (!abstract) ::chmod(name.c_str(), 0777);
    return s;
  }

  // Grades the probe in `isolation` under `wrapper`; the report.
  json grade(const std::string& isolation, const std::vector<std::string>& wrapper) {
    dir_.write("assignment.yaml",
               "assignment: walls\nlimits: {wall: 30s, cpu: 20s, disk: 32MiB, memory: 128MiB, processes: 8}\n"
               "scenarios:\n  - name: probe\n    processes:\n      - name: probe\n        run: [./probe, " +
                   tag_ + ", '" + std::to_string(::getpid()) + "', " + host_file_.string() + ", " +
                   host_socket_path_.string() + ", ipcgrade-walls-" + tag_ + ", '" + std::to_string(port_) +
                   "', '" + std::to_string(sem_) + "', '" + std::to_string(msg_) + "', '" +
                   std::to_string(shm_) + "', '" + std::to_string(key_) + "', '33554432', '8']\n");
    const CliResult r =
        run_ipcgrade({"grade", dir_.path().string(), (dir_.path() / "student").string(), "--json",
                      "--isolation", isolation, "--report", (dir_.path() / "report.yaml").string()},
                     wrapper);
    EXPECT_TRUE(r.code == 0 || r.code == 1) << r.code << r.err;
    try {
      return json::parse(r.out);
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what() << "\n" << r.out << r.err;
      return json::object();
    }
  }

  // The mode a grading ran in, as the table's columns name it.
  static std::string column_of(const json& r) {
    const json& enforced = r["scenarios"][0]["enforced"];
    std::string column = r["mode"];
    if (enforced["uid"].get<std::string>().find("(the run's own)") == std::string::npos)
      column += ", no uid of its own";
    if (enforced["landlock"].get<std::string>().rfind("ABI", 0) != 0) column += ", no Landlock";
    return column;
  }

  // Checks one grading against its column, row by row, and the host after it.
  void expect_walls(const json& r) {
    const Inventory inv = read_inventory();
    ASSERT_FALSE(inv.rows.empty()) << "docs/isolation.md has no wall inventory";
    const std::string column = column_of(r);
    SCOPED_TRACE(column);
    const auto at = std::find(inv.modes.begin(), inv.modes.end(), column);
    ASSERT_NE(at, inv.modes.end()) << "the machine gave a mode the wall inventory has no column for";
    const size_t c = static_cast<size_t>(at - inv.modes.begin());
    const json& scenario = r["scenarios"][0];
    const std::string out = scenario["processes"][0]["stdout"];
    auto got = probe_lines(out);
    for (const auto& row : inv.rows) {
      const auto it = got.find(row.id);
      if (it == got.end()) {
        ADD_FAILURE() << "the probe does not try " << row.id << "\n" << out;
        continue;
      }
      const std::string& cell = row.cells[c];
      const auto expected = met(cell, it->second);
      EXPECT_TRUE(expected) << row.id << ": the docs say " << cell << ", the probe got " << it->second;
      // A container engine's own profile may refuse the call before the grader's filter sees it: then
      // the program gets the same error and the grader has nothing to list.
      if (expected && expected->listed && !engine_refuses(row.id)) {
        bool listed = false;
        for (const auto& refusal : scenario["refused"])
          listed = listed || refusal["call"].get<std::string>().rfind(row.call + "(", 0) == 0;
        EXPECT_TRUE(listed) << row.id << ": no refusal of " << row.call << " listed\n"
                            << scenario["refused"].dump(2);
      }
      got.erase(it);
    }
    for (const auto& [id, result] : got)
      ADD_FAILURE() << "the probe tries " << id << ", which the inventory lacks";
    // The host after the run: nothing of it changed.
    for (const char* folder : {"/usr", "/bin", "/etc", "/tmp"}) {
      const fs::path made = fs::path(folder) / ("ipcgrade-probe-" + tag_);
      EXPECT_FALSE(fs::exists(made)) << made << " was left on the host";
      std::error_code ec;
      fs::remove(made, ec);
    }
    EXPECT_EQ(::semctl(sem_, 0, GETVAL), 7) << "the host's semaphore was changed";
    EXPECT_GE(::msgctl(msg_, IPC_STAT, nullptr), -1);
    msqid_ds ds{};
    EXPECT_EQ(::msgctl(msg_, IPC_STAT, &ds), 0) << "the host's queue was removed";
    EXPECT_EQ(ds.msg_qnum, 0u) << "a message reached the host's queue";
    shmid_ds sds{};
    EXPECT_EQ(::shmctl(shm_, IPC_STAT, &sds), 0) << "the host's segment was removed";
    EXPECT_LT(::accept(host_socket_, nullptr, nullptr), 0) << "the host's Unix socket was reached";
    EXPECT_LT(::accept(abstract_, nullptr, nullptr), 0) << "the host's abstract socket was reached";
    EXPECT_LT(::accept(tcp_, nullptr, nullptr), 0) << "the host's TCP port was reached";
  }

  // Whether this machine's container engine refuses the row's call itself (as Docker's seccomp profile
  // does unshare, mount and bpf for a process without CAP_SYS_ADMIN, and io_uring): tried here, in the
  // test's own process, harmlessly.
  static bool engine_refuses(const std::string& row) {
    if (row == "unshare" || row == "clone-namespace") return ::unshare(0) != 0;
    if (row == "mount")
      return ::mount("none", "/nonexistent-ipcgrade", "tmpfs", 0, nullptr) != 0 && errno != ENOENT;
    if (row == "bpf") return ::syscall(SYS_bpf, 0, nullptr, 0) != 0 && errno != EINVAL && errno != EFAULT;
    if (row == "io-uring")
      return ::syscall(SYS_io_uring_setup, 0, nullptr) != 0 && (errno == ENOSYS || errno == EPERM);
    if (row == "memfd-secret") {
      const long fd = ::syscall(SYS_memfd_secret, 0);
      if (fd >= 0) ::close(static_cast<int>(fd));
      return fd < 0 && errno != ENOSYS;
    }
    return false;
  }

  // As a container's root: no CAP_SYS_PTRACE, so no uid of the run's own; `env` before the binary.
  static std::vector<std::string> container_root(const std::vector<std::string>& env) {
    std::vector<std::string> w = {"/usr/sbin/capsh", "--drop=cap_sys_ptrace", "--shell=/usr/bin/env", "--"};
    w.insert(w.end(), env.begin(), env.end());
    w.push_back(IPCGRADE_BINARY);
    return w;
  }

  TempDir dir_, state_;
  std::string tag_;
  fs::path host_file_, host_socket_path_;
  int host_socket_ = -1, abstract_ = -1, tcp_ = -1, port_ = 0;
  key_t key_ = 0;
  int sem_ = -1, msg_ = -1, shm_ = -1;
};

}  // namespace

// Every mode this machine can give: namespaces where it has them, tracked always; as root also as a
// container's root (no uid of the run's own, no cgroups) and without Landlock.
TEST_F(Walls, EveryRowOfTheInventoryHoldsInEveryModeThisMachineHas) {
  struct Way {
    std::string isolation;
    std::vector<std::string> wrapper;
  };
  std::vector<Way> ways = {{"tracked", {}},
                           {"tracked", {"/usr/bin/env", "IPCGRADE_LANDLOCK=off", IPCGRADE_BINARY}}};
  const bool root = ::geteuid() == 0 && ::access("/usr/sbin/capsh", X_OK) == 0;
  if (root) ways.push_back({"tracked", container_root({"IPCGRADE_CGROUPS=off"})});
  if (root) ways.push_back({"tracked", container_root({"IPCGRADE_CGROUPS=off", "IPCGRADE_LANDLOCK=off"})});
  if (namespaces_available()) {
    ways.push_back({"namespaces", {}});
    if (root) ways.push_back({"namespaces", container_root({})});
    if (root) ways.push_back({"namespaces", container_root({"IPCGRADE_LANDLOCK=off"})});
  }
  std::set<std::string> columns;
  for (const auto& way : ways) {
    const json r = grade(way.isolation, way.wrapper);
    ASSERT_TRUE(r.contains("scenarios")) << r.dump(2);
    EXPECT_EQ(r["mode"], way.isolation);
    expect_walls(r);
    columns.insert(column_of(r));
  }
  EXPECT_GE(columns.size(), root ? 3u : 1u);
}
