// The sealed suite: submissions that try to climb the wall around the build and the programs, as a
// cheating student would. Each attack is a submission of its own (its sources in tests/hostile/sealed/),
// graded alone with `grade` and in a `batch` beside two honest students whose sources hold a line of
// their own; every case runs in `auto` mode (namespaces here) and in `tracked` mode.
//
// What every case asserts (expect_sealed): no secret (the host's canaries, the other students' lines, the
// grader's CI_JOB_TOKEN) in anything the grader printed or wrote; the canaries unchanged and still there;
// the grader binary neither copied out nor planted beside; no process of the run alive once the command
// returns; nobody reached the test's loopback listeners; the submission graded (exit 1 or 0, never 3);
// no scratch folder left in the host's /tmp.
//
// In `auto` mode the canaries are world-readable and world-writable, so that only the sealed root keeps
// the attacks out. `tracked` mode has no new root: files are protected by permissions alone, so there the
// canaries are root's, mode 0600 in 0700 folders, and what tracked mode cannot hold (/proc, the disk
// limit, abstract UNIX sockets) is skipped, not asserted as a hole.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "tests/host_clean.hpp"
#include "tests/run_cli.hpp"

using namespace ipcgrade::testing;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// The attack submissions, one folder each.
const fs::path kAttacks = fs::path(SOURCE_DIR) / "tests" / "hostile" / "sealed";

// A grader that hangs (on a FIFO, say) fails its test instead of stalling the suite.
constexpr auto kCommandLimit = std::chrono::seconds(60);

// What the contract hands every build and program, and nothing more.
const std::vector<std::string> kCleanNames = {"PATH", "HOME", "LANG", "TMPDIR"};
// What make and the shell add on their own to a recipe's environment, and the flags the grader passes
// so that evidence can name source lines.
const std::set<std::string> kBuildExtras = {"MAKEFLAGS", "MAKELEVEL", "MFLAGS", "MAKEOVERRIDES", "PWD",
                                            "OLDPWD",    "SHLVL",     "_",      "CFLAGS",        "CXXFLAGS"};

std::string random_hex(size_t digits) {
  std::ifstream in("/dev/urandom", std::ios::binary);
  std::string out;
  while (out.size() < digits) out += "0123456789abcdef"[static_cast<unsigned char>(in.get()) % 16];
  return out;
}

std::string slurp(const fs::path& path) {
  return read_whole(path);
}

void write_file(const fs::path& path, const std::string& content, fs::perms mode) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
  fs::permissions(path, mode);
}

// A YAML report as JSON, so that `grade` and `batch` reports are read alike. Quoted scalars stay strings;
// plain ones become numbers, booleans or null where they read as such.
json to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      json j = json::object();
      for (const auto& kv : node) j[kv.first.as<std::string>()] = to_json(kv.second);
      return j;
    }
    case YAML::NodeType::Sequence: {
      json j = json::array();
      for (const auto& item : node) j.push_back(to_json(item));
      return j;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (node.Tag() == "!") return s;
      if (s == "true") return true;
      if (s == "false") return false;
      if (s == "null" || s == "~") return nullptr;
      long long i = 0;
      if (auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
          ec == std::errc() && p == s.data() + s.size())
        return i;
      double d = 0;
      if (auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
          ec == std::errc() && p == s.data() + s.size())
        return d;
      return s;
    }
    default:
      return nullptr;
  }
}

// The value at `pointer` ("/build/status"), or null where there is none: a report that is missing or
// cut short fails the assertions on it instead of stopping the suite.
json field(const json& j, const std::string& pointer) {
  try {
    return j.at(json::json_pointer(pointer));
  } catch (const json::exception&) {
    return nullptr;
  }
}

json report_at(const fs::path& path) {
  if (!fs::exists(path)) return json::object();
  try {
    return to_json(YAML::LoadFile(path.string()));
  } catch (const std::exception& e) {
    ADD_FAILURE() << path << " is not YAML: " << e.what();
    return json::object();
  }
}

// Runs the ipcgrade binary like run_ipcgrade, but kills it after kCommandLimit.
CliResult run_limited(const std::vector<std::string>& args) {
  TempDir io;
  const fs::path out = io.path() / "stdout", err = io.path() / "stderr";
  std::vector<std::string> all = {"ipcgrade"};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  CliResult r;
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int in = ::open("/dev/null", O_RDONLY);
    const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(in, 0);
    ::dup2(o, 1);
    ::dup2(e, 2);
    ::execv(IPCGRADE_BINARY, argv.data());
    ::_exit(127);
  }
  int status = 0;
  bool killed = false;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() - start > kCommandLimit) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      killed = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.code = killed ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp(out);
  r.err = slurp(err);
  if (killed) r.err += "\n[the test killed the grader after 60 s]\n";
  return r;
}

// Listeners on the loopback interface (IPv4, IPv6 where the host has it) and on an abstract UNIX socket,
// for the attacks to call home to. Non-blocking: accept() afterwards says whether anyone came. Not
// inherited by the grader: a daemon that outlived a run would otherwise keep the name taken.
class Listeners {
 public:
  void open(const std::string& abstract_name) {
    close();
    fd4_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in at4{};
    at4.sin_family = AF_INET;
    at4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd4_, reinterpret_cast<sockaddr*>(&at4), sizeof at4), 0);
    ASSERT_EQ(::listen(fd4_, 16), 0);
    socklen_t len = sizeof at4;
    ::getsockname(fd4_, reinterpret_cast<sockaddr*>(&at4), &len);
    port4 = ntohs(at4.sin_port);

    fd6_ = ::socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in6 at6{};
    at6.sin6_family = AF_INET6;
    at6.sin6_addr = in6addr_loopback;
    len = sizeof at6;
    if (fd6_ >= 0 && ::bind(fd6_, reinterpret_cast<sockaddr*>(&at6), sizeof at6) == 0 &&
        ::listen(fd6_, 16) == 0 && ::getsockname(fd6_, reinterpret_cast<sockaddr*>(&at6), &len) == 0) {
      port6 = ntohs(at6.sin6_port);
    } else {
      port6 = 0;  // no IPv6 on this host: the attack skips it
    }

    fdu_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_un atu{};
    atu.sun_family = AF_UNIX;
    abstract_name.copy(atu.sun_path + 1, sizeof atu.sun_path - 2);
    ASSERT_EQ(::bind(fdu_, reinterpret_cast<sockaddr*>(&atu),
                     static_cast<socklen_t>(sizeof(sa_family_t) + 1 + abstract_name.size())),
              0);
    ASSERT_EQ(::listen(fdu_, 16), 0);
  }

  // Who called, and what they sent, on each listener: empty when nobody did.
  std::map<std::string, std::string> callers() {
    std::map<std::string, std::string> out;
    for (const auto& [name, fd] :
         {std::pair<std::string, int>{"tcp4", fd4_}, {"tcp6", fd6_}, {"abstract", fdu_}}) {
      if (fd < 0) continue;
      for (int c; (c = ::accept(fd, nullptr, nullptr)) >= 0;) {
        char buf[512] = {};
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        const ssize_t n = ::recv(c, buf, sizeof buf - 1, MSG_DONTWAIT);
        out[name] += "[" + std::string(buf, n > 0 ? static_cast<size_t>(n) : 0) + "]";
        ::close(c);
      }
    }
    return out;
  }

  void close() {
    for (int* fd : {&fd4_, &fd6_, &fdu_}) {
      if (*fd >= 0) ::close(*fd);
      *fd = -1;
    }
  }
  ~Listeners() { close(); }

  int port4 = 0, port6 = 0;

 private:
  int fd4_ = -1, fd6_ = -1, fdu_ = -1;
};

// The grader's scratch folders in the host's /tmp (the tests' own folders, ipcgrade-test-*, aside).
std::set<std::string> scratch_folders() {
  std::set<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/tmp", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("ipcgrade-", 0) == 0 && name.rfind("ipcgrade-test-", 0) != 0) out.insert(name);
  }
  return out;
}

// Whether any file under `dir` (a few levels down) holds `text`: tells this test's scratch folders from
// those of a grader someone else is running at the same time.
bool holds(const fs::path& dir, const std::string& text) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it.depth() > 4) it.disable_recursion_pending();
    if (it->is_regular_file(ec) && it->file_size(ec) < (1 << 20) &&
        slurp(it->path()).find(text) != std::string::npos)
      return true;
  }
  return false;
}

// Whether `dir` holds any regular file at all.
bool holds_files(const fs::path& dir) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file(ec)) return true;
  }
  return false;
}

// The variables a program printed as "<mode> env: NAME=VALUE" lines, and its "<mode> cwd: PATH".
std::map<std::string, std::string> env_of(const std::string& text, const std::string& mode) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  const std::string prefix = mode + " env: ";
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) != 0) continue;
    const std::string var = line.substr(prefix.size());
    out[var.substr(0, var.find('='))] =
        var.find('=') == std::string::npos ? "" : var.substr(var.find('=') + 1);
  }
  return out;
}

std::string cwd_of(const std::string& text, const std::string& mode) {
  std::smatch m;
  return std::regex_search(text, m, std::regex("(^|\n)" + mode + " cwd: ([^\n]*)")) ? m[2].str() : "";
}

// Where `text` says `what`, with some context; the start of `text` when it does not say it.
std::string around(const std::string& text, const std::string& what) {
  const size_t at = text.find(what);
  if (at == std::string::npos) return text.substr(0, 2000) + (text.size() > 2000 ? "\n[...]" : "");
  const size_t from = at - std::min<size_t>(at, 400);
  return "[...]" + text.substr(from, 800) + "[...]";
}

bool has_raw_control(const std::string& text) {
  for (unsigned char c : text) {
    if (c < 0x20 && c != '\n' && c != '\t') return true;
    if (c == 0x7f) return true;
  }
  return false;
}

enum class Phase { Grade, Batch };

// What one `grade` or `batch` of the attack produced.
struct Graded {
  Phase phase = Phase::Grade;
  CliResult cli;
  json report;                          // the attacker's
  std::map<std::string, json> reports;  // batch: every student's, by id
  std::string everything;               // what the command printed and every file it wrote
  fs::path out;                         // where it wrote them

  json at(const std::string& pointer) const { return field(report, pointer); }
  std::string text(const std::string& pointer) const {
    const json value = at(pointer);
    return value.is_string() ? value.get<std::string>() : "";
  }
  std::string stdout_of_run() const { return text("/scenarios/0/processes/0/stdout"); }
  std::string build_log() const { return text("/build/log"); }
  // Another student's report in a batch (null where there is none).
  json of(const std::string& student, const std::string& pointer) const {
    return reports.count(student) ? field(reports.at(student), pointer) : json();
  }
  // submission.skipped, as path -> kind.
  std::map<std::string, std::string> skipped() const {
    std::map<std::string, std::string> named;
    for (const auto& s : at("/submission/skipped")) {
      const json path = field(s, "/path"), kind = field(s, "/kind");
      named[path.is_string() ? path.get<std::string>() : path.dump()] =
          kind.is_string() ? kind.get<std::string>() : kind.dump();
    }
    return named;
  }
};

std::string name_of(Phase phase) {
  return phase == Phase::Grade ? "grade" : "batch";
}

class Sealed : public HostCleanTest, public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override {
    HostCleanTest::SetUp();
    ::setenv("IPCGRADE_STATE_DIR", state_.path().c_str(), 1);
    tag_ = random_hex(16);
    marker_ = "ipcgrade-marker-" + tag_;
    // The grader's own secret, as a CI job would hold it.
    ::setenv("CI_JOB_TOKEN", secret("token").c_str(), 1);
    secrets_ = {secret("tmp"), secret("root"), secret("del"),      secret("alice"),
                secret("bob"), secret("eve"),  secret("solution"), secret("token")};
    binary_ = slurp(IPCGRADE_BINARY);
    canary_tmp_ = host_.path() / "canary.txt";
    canary_del_ = host_.path() / "delete-me.txt";
    canary_root_ = fs::path("/root") / ("ipcgrade-test-" + tag_ + ".txt");
    drop_ = host_.path() / "drop";
    // Readable to all in auto mode, so that only the sealed root keeps the attacker out of them.
    for (const fs::path& dir : {dir_.path(), assignment(), klass()}) {
      fs::create_directories(dir);
      fs::permissions(dir, tracked() ? fs::perms::owner_all : fs::perms(0755));
    }
    fs::permissions(host_.path(), tracked() ? fs::perms::owner_all : fs::perms::all);
    for (const std::string who : {"alice", "bob"}) {
      honest(klass() / who, who);
    }
  }

  void TearDown() override {
    for (pid_t pid : processes_with(marker_)) ::kill(pid, SIGKILL);
    std::error_code ec;
    fs::remove(canary_root_, ec);
    fs::remove(std::string(IPCGRADE_BINARY) + ".trojan", ec);
    ::unsetenv("CI_JOB_TOKEN");
    listeners_.close();
    HostCleanTest::TearDown();
  }

  // Tracked mode: asked for, or what `auto` gives where the machine refuses namespaces.
  bool tracked() const { return GetParam() == "tracked" || !namespaces_available(); }
  // TMPDIR: the root's private /tmp; in tracked mode, which has no /tmp of its own, a folder beside the
  // working folder (the one place besides it where Landlock lets the run write).
  std::string tmpdir_for(const std::string& work) const {
    return tracked() ? (fs::path(work).parent_path() / "tmp").string() : "/tmp";
  }
  fs::perms file_mode() const { return tracked() ? fs::perms(0600) : fs::perms(0644); }
  fs::path assignment() const { return dir_.path() / "assignment"; }
  fs::path klass() const { return dir_.path() / "class"; }
  fs::path mallory() const { return klass() / "mallory"; }
  std::string secret(const std::string& what) const { return "sealed-" + what + "-" + tag_; }

  // An honest student: prog.c holds a line of its own, `secret(who)`.
  void honest(const fs::path& folder, const std::string& who) {
    fs::create_directories(folder);
    fs::permissions(folder, tracked() ? fs::perms::owner_all : fs::perms(0755));
    write_file(folder / "Makefile", slurp(kAttacks / "honest" / "Makefile"), file_mode());
    write_file(folder / "prog.c",
               std::regex_replace(slurp(kAttacks / "honest" / "prog.c"), std::regex("@CANARY@"), secret(who)),
               file_mode());
  }

  // The attacker's submission: the attack's sources, copied into the class as student `mallory`.
  void submit(const std::string& attack) {
    fs::copy(kAttacks / attack, mallory(), fs::copy_options::recursive | fs::copy_options::copy_symlinks);
    fs::permissions(mallory(), tracked() ? fs::perms::owner_all : fs::perms(0755));
  }

  // The assignment file; MARKER in `body` becomes this test's marker, which every attack program carries
  // on its command line so that survivors can be found.
  void assign(const std::string& body) {
    write_file(assignment() / "assignment.yaml",
               "assignment: sealed\n" + std::regex_replace(body, std::regex("MARKER"), marker_), file_mode());
  }

  // Fresh canaries and listeners before each phase (an attack that got through changed the last ones), and
  // the attacker's map of them: sealed.mk for make, sealed.h for C, sealed.sh for the shell.
  void plant() {
    const fs::perms writable = tracked() ? fs::perms(0600) : fs::perms(0666);
    write_file(canary_tmp_, "\"" + secret("tmp") + "\"\n", writable);
    write_file(canary_del_, "\"" + secret("del") + "\"\n", writable);
    write_file(canary_root_, "\"" + secret("root") + "\"\n", writable);
    std::error_code ec;
    fs::remove_all(drop_, ec);
    fs::create_directories(drop_);
    fs::permissions(drop_, tracked() ? fs::perms::owner_all : fs::perms::all);
    listeners_.open("ipcgrade-test-" + tag_);
    const std::map<std::string, std::string> strings = {
        {"CANARY_TMP", canary_tmp_.string()},
        {"CANARY_ROOT", canary_root_.string()},
        {"CANARY_DEL", canary_del_.string()},
        {"PEER_ALICE", (klass() / "alice" / "prog.c").string()},
        {"PEER_BOB", (klass() / "bob" / "prog.c").string()},
        {"DROP", drop_.string()},
        {"IPCGRADE", IPCGRADE_BINARY},
        {"ASSIGNMENT_DIR", assignment().string()},
        {"ABSTRACT", "ipcgrade-test-" + tag_},
        {"MARKER", marker_}};
    std::string mk, h, sh;
    for (const auto& [name, value] : strings) {
      mk += name + " = " + value + "\n";
      h += "#define " + name + " \"" + value + "\"\n";
      sh += name + "='" + value + "'\n";
    }
    mk += "PEERS = " + strings.at("PEER_ALICE") + " " + strings.at("PEER_BOB") + "\n";
    h += "#define PORT4 " + std::to_string(listeners_.port4) + "\n#define PORT6 " +
         std::to_string(listeners_.port6) + "\n";
    write_file(mallory() / "sealed.mk", mk, file_mode());
    write_file(mallory() / "sealed.h", h, file_mode());
    write_file(mallory() / "sealed.sh", sh, file_mode());
  }

  // Grades the attacker alone, or the class (alice, bob, mallory and whatever else is there) in a batch.
  Graded attack(Phase phase) {
    scratch_before_ = scratch_folders();
    Graded g;
    g.phase = phase;
    g.out = out_.path() / name_of(phase);
    fs::create_directories(g.out);
    if (phase == Phase::Grade) {
      const fs::path report = g.out / "report.yaml", gradescope = g.out / "results.json",
                     junit = g.out / "junit.xml";
      g.cli = run_limited({"grade", assignment().string(), mallory().string(), "--isolation", GetParam(),
                           "--report", report.string(), "--gradescope", gradescope.string(), "--junit",
                           junit.string()});
      g.report = report_at(report);
    } else {
      g.cli = run_limited({"batch", assignment().string(), klass().string(), "--out", g.out.string(),
                           "--jobs", "3", "--isolation", GetParam(), "--gradescope", "--junit"});
      for (const auto& entry : fs::directory_iterator(g.out)) {
        if (entry.is_directory())
          g.reports[entry.path().filename().string()] = report_at(entry.path() / "report.yaml");
      }
      g.report = g.reports["mallory"];
    }
    g.everything = g.cli.out + g.cli.err;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(g.out, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file()) g.everything += "\n" + it->path().string() + ":\n" + slurp(it->path());
    }
    return g;
  }

  // What every attack must leave as it found it.
  void expect_sealed(const Graded& g) {
    // Graded, not crashed: a hostile submission is the student's problem, never the grader's (exit 3).
    if (g.phase == Phase::Grade) {
      EXPECT_TRUE(g.cli.code == 0 || g.cli.code == 1) << "exit " << g.cli.code << "\n" << g.cli.err;
    } else {
      EXPECT_EQ(g.cli.code, 0) << g.cli.err;
      for (const std::string student : {"alice", "bob", "mallory"}) {
        EXPECT_TRUE(fs::exists(g.out / student / "report.yaml")) << student << " has no report";
      }
      for (const auto& [student, report] : g.reports) {
        EXPECT_FALSE(report.contains("internal_fault")) << student << ": " << report.dump();
      }
    }
    // The mode the run says it ran in (a refused submission runs nothing and may not say).
    if (field(g.report, "/build/status") != "refused") {
      EXPECT_EQ(g.report.value("mode", ""), tracked() ? "tracked" : "namespaces");
    }

    for (const std::string& s : secrets_) {
      EXPECT_EQ(g.everything.find(s), std::string::npos) << "the secret " << s << " got out:\n"
                                                         << around(g.everything, s);
    }

    EXPECT_EQ(slurp(canary_tmp_), "\"" + secret("tmp") + "\"\n") << "the canary under /tmp was changed";
    EXPECT_EQ(slurp(canary_root_), "\"" + secret("root") + "\"\n") << "the canary under /root was changed";
    EXPECT_TRUE(fs::exists(canary_del_)) << "the canary under /tmp was deleted";
    EXPECT_TRUE(fs::is_empty(drop_)) << "something was written into " << drop_;
    EXPECT_FALSE(fs::exists(std::string(IPCGRADE_BINARY) + ".trojan"))
        << "a file was planted beside the grader";
    EXPECT_TRUE(slurp(IPCGRADE_BINARY) == binary_) << "the grader binary was changed";

    // Nothing of the run outlives the command: the build's daemons included.
    std::vector<pid_t> left;
    for (int i = 0; i < 50 && !(left = processes_with(marker_)).empty(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_TRUE(left.empty()) << left.size() << " process(es) of the run survived it, e.g. pid " << left[0]
                              << ": " << slurp("/proc/" + std::to_string(left[0]) + "/cmdline");
    for (pid_t pid : left) ::kill(pid, SIGKILL);

    // No network: nobody called home. Tracked mode's seccomp filter refuses IPv4 and IPv6 sockets, not
    // UNIX ones, and without a network namespace an abstract socket is the host's: asserted in auto only.
    for (const auto& [listener, what] : listeners_.callers()) {
      if (listener == "abstract" && tracked()) continue;
      ADD_FAILURE() << "the " << listener << " listener was reached: " << what;
    }

    // No scratch folder left behind. The machine's /tmp is shared: a folder that appeared while the
    // command ran is this grader's if it holds this test's tag (a copy of one of its submissions) or
    // nothing at all (a submission refused before the copy); one that goes away within two seconds, or
    // holds someone else's files, belongs to another grader running at the same time.
    std::set<std::string> left_behind;
    for (int i = 0; i < 100; ++i) {
      left_behind.clear();
      for (const auto& name : scratch_folders()) {
        if (!scratch_before_.count(name)) left_behind.insert(name);
      }
      if (left_behind.empty()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    for (const auto& name : left_behind) {
      const fs::path folder = fs::path("/tmp") / name;
      if (holds(folder, tag_)) {
        ADD_FAILURE() << "a scratch folder was left in /tmp: " << folder;
        fs::remove_all(folder);
      } else if (!holds_files(folder)) {
        ADD_FAILURE() << "an empty scratch folder was left in /tmp: " << folder;
      }
    }
  }

  // The lines of "<mode> proc: PID COMM", as pid → comm.
  static std::map<long, std::string> processes_listed(const std::string& text, const std::string& mode) {
    std::map<long, std::string> out;
    const std::regex line("(^|\n)" + mode + " proc: (\\d+) ([^\n]*)");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), line); it != std::sregex_iterator(); ++it)
      out[std::stol((*it)[2])] = (*it)[3];
    return out;
  }

  TempDir dir_, host_, state_, out_;
  std::string tag_, marker_, binary_;
  fs::path canary_tmp_, canary_root_, canary_del_, drop_;
  std::vector<std::string> secrets_;
  std::set<std::string> scratch_before_;
  Listeners listeners_;
};

// A scenario that runs the attacker's ./prog, and a check it cannot pass: the run is graded, and fails.
std::string one_scenario(const std::string& build, const std::string& wall) {
  return "build: {command: '" + build +
         "', timeout: 30s}\n"
         "limits: {wall: " +
         wall +
         "}\n"
         "scenarios:\n"
         "  - name: attack\n"
         "    processes:\n"
         "      - {name: prog, run: ./prog run MARKER}\n"
         "checks:\n"
         "  - {name: prints the answer, type: output, process: prog, stdout: {contains: the answer is 42},"
         " points: 10}\n";
}

}  // namespace

// Attack 1: a Makefile that robs the host. On the host, as the grader's user, it would read and change the
// host's files, leave a daemon behind, call home, print the grader's CI token and carry the grader away.
TEST_P(Sealed, AMakefileThatRobsTheHostGetsNothing) {
  submit("makefile_thief");
  assign(one_scenario("make", "3s"));
  for (const Phase phase : {Phase::Grade, Phase::Batch}) {
    SCOPED_TRACE(name_of(phase));
    plant();
    const Graded g = attack(phase);
    expect_sealed(g);
    if (phase == Phase::Grade) {
      EXPECT_EQ(g.cli.code, 1) << g.cli.err;
    }
    // The compiler works inside the wall: the build succeeds, only its thefts fail.
    EXPECT_EQ(g.at("/build/status"), "ok") << around(g.build_log(), "error");
    EXPECT_EQ(g.at("/scenarios/0/outcome"), "completed");
    const std::string log = g.build_log(), out = g.stdout_of_run();
    EXPECT_NE(log.find("build cwd: "), std::string::npos) << "the build's program did not run:\n"
                                                          << around(log, "");
    EXPECT_NE(out.find("run cwd: "), std::string::npos) << "the program did not run:\n" << around(out, "");
    for (const std::string* text : {&log, &out}) {
      for (const char* path : {"/etc/shadow", "/sys/kernel/uevent_seqnum", "/run", "/etc/ld.so.conf.d"}) {
        const std::string said = std::string(path) + " is readable";
        EXPECT_EQ(text->find(said), std::string::npos) << around(*text, said);
      }
      // Not one file of the grader's inside the wall, whatever its permissions (tracked mode: permissions
      // are all there is, and the binary is readable to all).
      if (!tracked()) {
        EXPECT_EQ(text->find("the ipcgrade binary is readable"), std::string::npos)
            << around(*text, "the ipcgrade binary is readable");
      }
    }

    // The program gets exactly the clean environment, its HOME the working folder.
    auto run_env = env_of(out, "run");
    EXPECT_EQ(run_env["HOME"], cwd_of(out, "run"));
    EXPECT_FALSE(run_env["HOME"].empty());
    run_env.erase("HOME");
    EXPECT_EQ(run_env, (std::map<std::string, std::string>{{"PATH", "/usr/local/bin:/usr/bin:/bin"},
                                                           {"LANG", "C.UTF-8"},
                                                           {"TMPDIR", tmpdir_for(cwd_of(out, "run"))}}));

    // The build likewise, plus what make and the shell add themselves.
    auto build_env = env_of(log, "build");
    EXPECT_EQ(build_env["HOME"], cwd_of(log, "build"));
    EXPECT_FALSE(build_env["HOME"].empty());
    EXPECT_EQ(build_env["PATH"], "/usr/local/bin:/usr/bin:/bin");
    EXPECT_EQ(build_env["LANG"], "C.UTF-8");
    EXPECT_EQ(build_env["TMPDIR"], tmpdir_for(cwd_of(log, "build")));
    std::set<std::string> foreign;
    for (const auto& [name, value] : build_env) {
      if (!std::count(kCleanNames.begin(), kCleanNames.end(), name) && !kBuildExtras.count(name))
        foreign.insert(name);
    }
    EXPECT_TRUE(foreign.empty()) << "the build was handed " << ::testing::PrintToString(foreign);
  }
}

// Attack 2: C sources that #include an absolute path to a canary (and .incbin another student's source),
// under the instructor's plain `cc -o prog *.c`: the compiler reads whatever it is pointed at.
TEST_P(Sealed, AnIncludeOfAnAbsolutePathCompilesInNothing) {
  submit("include_canary");
  assign(one_scenario("cc -o prog *.c", "3s"));
  for (const Phase phase : {Phase::Grade, Phase::Batch}) {
    SCOPED_TRACE(name_of(phase));
    plant();
    const Graded g = attack(phase);
    expect_sealed(g);
    if (phase == Phase::Grade) {
      EXPECT_EQ(g.cli.code, 1) << g.cli.err;
    }
    if (!tracked()) {
      // Not refused but absent: the build succeeds and every file it reached for is simply not there.
      EXPECT_EQ(g.at("/build/status"), "ok") << around(g.build_log(), "error");
      EXPECT_EQ(g.stdout_of_run(),
                "tmp: (not there)\nroot: (not there)\nalice: (not there)\nbob: (not there)\n");
    }
  }
}

// Attack 3: symbolic links in the submission, to the host's canaries (absolute, and climbing with ../), to
// the host's root, to another student's folder, and to themselves; the build and the program follow them.
// In a batch a fourth "student" is itself a link to a folder outside the class.
TEST_P(Sealed, SymbolicLinksOutOfTheSubmissionAreNotCopied) {
  submit("symlink_canary");
  std::string up;
  for (int i = 0; i < 16; ++i) up += "../";
  fs::create_symlink(canary_tmp_, mallory() / "leak-tmp");
  fs::create_symlink(canary_root_, mallory() / "leak-root");
  fs::create_symlink(up + canary_tmp_.relative_path().string(), mallory() / "leak-up");
  fs::create_symlink("/", mallory() / "leak-slash");
  fs::create_symlink(klass() / "alice", mallory() / "leak-peer");
  fs::create_symlink("leak-loop", mallory() / "leak-loop");
  fs::create_symlink("notes/inside.txt", mallory() / "inside");
  // eve's folder lies outside the class; its build would print its own source.
  honest(host_.path() / "eve", "eve");
  write_file(host_.path() / "eve" / "Makefile", "prog: prog.c\n\tcat prog.c\n\tcc -o prog prog.c\n",
             file_mode());
  fs::create_directory_symlink(host_.path() / "eve", klass() / "eve");
  assign(one_scenario("make", "3s"));

  for (const Phase phase : {Phase::Grade, Phase::Batch}) {
    SCOPED_TRACE(name_of(phase));
    plant();
    const Graded g = attack(phase);
    expect_sealed(g);
    if (phase == Phase::Grade) {
      EXPECT_EQ(g.cli.code, 1) << g.cli.err;
    }
    // Every link that leads out is left out of the copy and named; the one inside is kept and works.
    const auto skipped = g.skipped();
    const std::map<std::string, std::string> expected = {{"leak-tmp", "symlink"},  {"leak-root", "symlink"},
                                                         {"leak-up", "symlink"},   {"leak-slash", "symlink"},
                                                         {"leak-peer", "symlink"}, {"leak-loop", "symlink"}};
    EXPECT_EQ(skipped, expected) << g.at("/submission").dump();
    for (const auto& [path, kind] : expected) {
      EXPECT_NE(g.build_log().find(path), std::string::npos)
          << "the build log does not name the skipped " << path << ":\n"
          << around(g.build_log(), "");
    }
    EXPECT_NE(g.stdout_of_run().find("kept: this link stays inside the submission"), std::string::npos)
        << g.stdout_of_run();
    if (phase == Phase::Batch) {
      // A student folder that is a link is not followed: skipped, or graded as refused.
      if (g.reports.count("eve") && fs::exists(g.out / "eve" / "report.yaml")) {
        EXPECT_EQ(g.of("eve", "/build/status"), "refused") << g.of("eve", "").dump();
      }
    }
  }
}

// Attack 4: a program that hunts the machine for the hidden scenario's expected output (in the assignment
// folder, which a student can guess, in /tmp, in every process's command line and environment, then
// everywhere) while building and while running. The hidden check must fail.
TEST_P(Sealed, TheHiddenExpectedOutputCannotBeFound) {
  const std::string answer = "HIDDEN-ANSWER-" + random_hex(16);
  submit("hidden_seek");
  assign(
      "build: {command: make, timeout: 30s}\nlimits: {wall: 5s}\nscenarios:\n  - name: secret\n"
      "    visibility: hidden\n    processes:\n      - {name: prog, run: ./prog run MARKER}\n"
      "checks:\n  - {name: the hidden answer, type: output, scenarios: [secret], process: prog, stdout: "
      "{equals: \"" +
      answer + "\\n\"}, points: 10}\n");
  for (const Phase phase : {Phase::Grade, Phase::Batch}) {
    SCOPED_TRACE(name_of(phase));
    plant();
    const Graded g = attack(phase);
    expect_sealed(g);
    if (phase == Phase::Grade) {
      EXPECT_EQ(g.cli.code, 1) << g.cli.err;
    }
    EXPECT_EQ(g.at("/build/status"), "ok") << around(g.build_log(), "error");
    ASSERT_EQ(g.at("/checks").size(), 1u) << g.report.dump();
    EXPECT_EQ(g.at("/checks/0/status"), "failed");
    EXPECT_EQ(g.at("/checks/0/score"), 0);
    EXPECT_EQ(g.at("/score"), 0);
    EXPECT_EQ(g.stdout_of_run().find(answer), std::string::npos) << "the program found the hidden answer";
    EXPECT_EQ(g.build_log().find("found the answer while building"), std::string::npos);
  }
}

// Attack 5: a program that lists /proc, from the build and from the run. Outside a PID namespace with a
// /proc of its own it sees the whole machine: the grader, the test runner, every other student's run.
TEST_P(Sealed, ProcShowsOnlyTheRunsOwnProcesses) {
  submit("proc_list");
  assign(one_scenario("make", "3s"));
  const std::string runner = slurp("/proc/self/comm").substr(0, slurp("/proc/self/comm").find('\n'));
  for (const Phase phase : {Phase::Grade, Phase::Batch}) {
    SCOPED_TRACE(name_of(phase));
    plant();
    const Graded g = attack(phase);
    expect_sealed(g);
    if (phase == Phase::Grade) {
      EXPECT_EQ(g.cli.code, 1) << g.cli.err;
    }
    if (tracked()) continue;
    // Where the kernel refuses a fresh /proc (a container's runtime covers parts of its own), the run's
    // /proc is empty: it shows nothing at all, of the run or of the host.
    const bool empty_proc = g.text("/scenarios/0/enforced/proc").rfind("empty", 0) == 0;
    for (const auto& [mode, text] :
         {std::pair<std::string, std::string>{"build", g.build_log()}, {"run", g.stdout_of_run()}}) {
      SCOPED_TRACE(mode);
      const auto listed = processes_listed(text, mode);
      if (empty_proc) {
        EXPECT_TRUE(listed.empty()) << listed.size() << " processes listed in an empty /proc";
        continue;
      }
      std::smatch self;
      ASSERT_TRUE(std::regex_search(text, self, std::regex(mode + " self: (\\d+)"))) << around(text, "");
      EXPECT_TRUE(listed.count(std::stol(self[1]))) << "the program does not see itself in /proc";
      // Pids from 1000 up are the run's; pid 1 is the sandbox's init, which shows a name and nothing of
      // the grader's command line; anything else below 1000 is the machine's. Neither the grader nor
      // the test runner is the run's.
      std::vector<std::string> foreign;
      for (const auto& [pid, comm] : listed) {
        if ((pid < 1000 && !(pid == 1 && comm == "ipcgrade-init")) || comm == "ipcgrade" || comm == runner)
          foreign.push_back(std::to_string(pid) + " " + comm);
      }
      EXPECT_TRUE(foreign.empty()) << foreign.size() << " of the " << listed.size()
                                   << " processes listed are not the run's, e.g. "
                                   << ::testing::PrintToString(std::vector<std::string>(
                                          foreign.begin(),
                                          foreign.begin() + std::min<size_t>(foreign.size(), 12)));
      EXPECT_LT(listed.size(), 16u) << "the run has a handful of processes, not " << listed.size();
      EXPECT_NE(text.find(mode + " init: ipcgrade-init\n"), std::string::npos) << around(text, " init: ");
    }
  }
  if (tracked()) GTEST_SKIP() << "tracked mode has no PID namespace: /proc is the host's, nothing to assert";
}

// Attack 6: a program that writes 1 GiB into its working folder, in files below the file size limit.
// The working folder's filesystem holds limits.disk (256 MiB by default); the host's disk never sees it.
TEST_P(Sealed, FillingTheDiskStopsAtTheDiskLimit) {
  submit("disk_fill");
  assign(one_scenario("make", "5s"));
  for (const Phase phase : {Phase::Grade, Phase::Batch}) {
    SCOPED_TRACE(name_of(phase));
    plant();
    // The host's free space, watched while the attack runs.
    std::atomic<bool> stop = false;
    std::atomic<long long> lowest = std::numeric_limits<long long>::max();
    auto free_bytes = [] {
      struct statvfs s {};
      ::statvfs("/tmp", &s);
      return static_cast<long long>(s.f_bavail) * static_cast<long long>(s.f_frsize);
    };
    const long long before = free_bytes();
    std::thread watch([&] {
      while (!stop) {
        lowest = std::min<long long>(lowest, free_bytes());
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    });
    const Graded g = attack(phase);
    stop = true;
    watch.join();
    expect_sealed(g);
    if (phase == Phase::Grade) {
      EXPECT_EQ(g.cli.code, 1) << g.cli.err;
    }
    if (phase == Phase::Batch) {
      // The attacker's full disk is its own: the honest students ran as usual.
      for (const std::string student : {"alice", "bob"}) {
        EXPECT_EQ(g.of(student, "/scenarios/0/outcome"), "completed") << g.of(student, "").dump();
      }
    }
    if (tracked()) continue;
    EXPECT_EQ(g.at("/scenarios/0/outcome"), "limit");
    EXPECT_TRUE(std::regex_match(g.text("/scenarios/0/outcome_detail"), std::regex("disk limit 256 MiB: .*")))
        << g.at("/scenarios/0/outcome_detail");
    std::smatch m;
    const std::string out = g.stdout_of_run();
    ASSERT_TRUE(std::regex_search(out, m, std::regex(R"(wrote (\d+) MiB: No space left on device)"))) << out;
    EXPECT_LE(std::stoi(m[1]), 256);
    EXPECT_LT((before - lowest) >> 20, 512) << "the host's disk lost " << ((before - lowest) >> 20) << " MiB";
  }
  if (tracked())
    GTEST_SKIP() << "tracked mode has no filesystem of its own for the working folder: no disk limit";
}

// The disk limit an assignment sets is the one applied, and named.
TEST_P(Sealed, TheAssignmentsDiskLimitIsTheOneApplied) {
  submit("disk_fill");
  assign(
      "build: {command: make, timeout: 30s}\nlimits: {wall: 5s, disk: 64MiB}\nscenarios:\n  - name: attack\n"
      "    processes:\n      - {name: prog, run: ./prog run MARKER}\n");
  plant();
  const Graded g = attack(Phase::Grade);
  expect_sealed(g);
  if (tracked())
    GTEST_SKIP() << "tracked mode has no filesystem of its own for the working folder: no disk limit";
  EXPECT_EQ(g.at("/scenarios/0/outcome"), "limit");
  EXPECT_TRUE(std::regex_match(g.text("/scenarios/0/outcome_detail"), std::regex("disk limit 64 MiB: .*")))
      << g.at("/scenarios/0/outcome_detail");
  std::smatch m;
  const std::string out = g.stdout_of_run();
  ASSERT_TRUE(std::regex_search(out, m, std::regex(R"(wrote (\d+) MiB: No space left on device)"))) << out;
  EXPECT_LE(std::stoi(m[1]), 64);
}

// One scenario whose program says hello: the attacks on the copy must not cost the rest its grade.
const char* const kSaysHello =
    "build: {command: make, timeout: 30s}\nlimits: {wall: 2s}\nscenarios:\n  - name: hello\n"
    "    processes:\n      - {name: prog, run: ./prog run MARKER}\n"
    "checks:\n  - {name: says hello, type: output, process: prog, stdout: {equals: \"hello\\n\"}, points: "
    "10}\n";

// Attack 7: a submission holding a 1 GiB sparse file: a few blocks on disk, 1 GiB to any copy that reads it.
// Over the 64 MiB submission limit by apparent size: refused, graded 0, nothing run.
TEST_P(Sealed, ASparseGibibyteIsRefusedAsOverTheSubmissionLimit) {
  submit("sparse_file");
  {
    std::ofstream(mallory() / "data.bin");
    fs::resize_file(mallory() / "data.bin", 1ULL << 30);
  }
  assign(kSaysHello);
  for (const Phase phase : {Phase::Grade, Phase::Batch}) {
    SCOPED_TRACE(name_of(phase));
    plant();
    const Graded g = attack(phase);
    expect_sealed(g);
    if (phase == Phase::Grade) {
      EXPECT_EQ(g.cli.code, 1) << g.cli.err;
    }
    EXPECT_EQ(g.at("/build/status"), "refused") << g.report.dump();
    EXPECT_NE(g.build_log().find("over the submission limit"), std::string::npos) << g.build_log();
    EXPECT_EQ(g.at("/score"), 0);
    EXPECT_TRUE(g.at("/scenarios").empty()) << "a refused submission ran";
    if (phase == Phase::Batch) {
      for (const std::string student : {"alice", "bob"}) {
        EXPECT_EQ(g.of(student, "/score"), 10) << g.of(student, "").dump();
      }
    }
  }
}

// Attack 8: a submission holding what no copy may open: FIFOs (an open for reading blocks until someone
// writes), a UNIX socket, and device nodes (/dev/null's and /dev/zero's numbers: the second never ends).
// They are skipped and named, and the rest is graded as usual.
TEST_P(Sealed, FifosSocketsAndDevicesAreSkippedAndNamed) {
  submit("special_files");
  fs::create_directories(mallory() / "sub");
  ASSERT_EQ(::mkfifo((mallory() / "a-fifo").c_str(), 0644), 0);
  ASSERT_EQ(::mkfifo((mallory() / "sub" / "deeper-fifo").c_str(), 0644), 0);
  // Devices where root may make them (a container's root lacks CAP_MKNOD).
  const bool devices = ::mknod((mallory() / "dev-null").c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0 &&
                       ::mknod((mallory() / "dev-zero").c_str(), S_IFCHR | 0666, makedev(1, 5)) == 0;
  {
    const int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un at{};
    at.sun_family = AF_UNIX;
    (mallory() / "a-socket").string().copy(at.sun_path, sizeof at.sun_path - 1);
    ASSERT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&at), sizeof at), 0) << std::strerror(errno);
    ::close(s);
  }
  assign(kSaysHello);
  for (const Phase phase : {Phase::Grade, Phase::Batch}) {
    SCOPED_TRACE(name_of(phase));
    plant();
    const Graded g = attack(phase);
    expect_sealed(g);
    EXPECT_EQ(g.at("/build/status"), "ok") << around(g.build_log(), "error");
    EXPECT_EQ(g.at("/scenarios/0/outcome"), "completed");
    EXPECT_EQ(g.at("/score"), 10) << g.report.dump();
    const auto skipped = g.skipped();
    std::map<std::string, std::string> expected = {
        {"a-fifo", "FIFO"}, {"sub/deeper-fifo", "FIFO"}, {"a-socket", "socket"}};
    if (devices) expected.insert({{"dev-null", "device"}, {"dev-zero", "device"}});
    EXPECT_EQ(skipped, expected) << g.at("/submission").dump();
    for (const auto& [path, kind] : expected) {
      EXPECT_NE(g.build_log().find(path), std::string::npos)
          << "the build log does not name " << path << ":\n"
          << g.build_log();
    }
    // The size counted is that of the regular files copied.
    std::uintmax_t bytes = 0;
    for (const auto& entry : fs::recursive_directory_iterator(mallory())) {
      if (entry.is_regular_file() && !entry.is_symlink()) bytes += entry.file_size();
    }
    EXPECT_EQ(g.at("/submission/bytes"), bytes) << g.at("/submission").dump();
  }
}

// A failing build's log with terminal control sequences: on the instructor's terminal, raw, they would
// set the title, clear the screen and overwrite "FAILED" with "passed". Everywhere the log is shown, each
// control character is written out as \xNN; newlines and tabs stay.
TEST_P(Sealed, ControlCharactersInTheBuildLogAreEscaped) {
  submit("escape_codes");
  assign(one_scenario("make", "2s"));
  plant();
  const Graded g = attack(Phase::Grade);
  expect_sealed(g);
  EXPECT_EQ(g.cli.code, 1) << g.cli.err;
  EXPECT_EQ(g.at("/build/status"), "failed");
  const std::string log = g.build_log();
  EXPECT_FALSE(has_raw_control(log)) << log;
  EXPECT_NE(log.find("title \\e]0;all tests passed\\x07 clear \\e[2J\\e[H red \\e[31mred\\e[0m\n"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("FAILED\\x0dpassed\\x08\\x08\\x08\\x08\\x08\\x08passed\n"), std::string::npos) << log;
  EXPECT_NE(log.find("a\ttab and a newline stay\n"), std::string::npos) << log;
  // The human summary shows a failed build's log: escaped there too.
  EXPECT_FALSE(has_raw_control(g.cli.out)) << g.cli.out;
  EXPECT_NE(g.cli.out.find("\\e]0;all tests passed"), std::string::npos) << g.cli.out;
  const json gradescope = json::parse(slurp(g.out / "results.json"), nullptr, false);
  ASSERT_TRUE(gradescope.is_object()) << slurp(g.out / "results.json");
  EXPECT_FALSE(has_raw_control(gradescope.value("output", ""))) << gradescope.dump();
  EXPECT_NE(gradescope.value("output", "").find("\\e]0;all tests passed"), std::string::npos)
      << gradescope.dump();
  EXPECT_FALSE(has_raw_control(slurp(g.out / "junit.xml")));
}

// The build and the programs get the clean environment plus the assignment's env:, and nothing of the
// grader's (its CI_JOB_TOKEN above all).
TEST_P(Sealed, TheBuildAndTheProgramsSeeOnlyTheCleanEnvironment) {
  submit("environment");
  assign(
      "build: {command: make, timeout: 30s}\nlimits: {wall: 2s}\nenv: {GREETING: hello world, "
      "OMP_NUM_THREADS: "
      "\"1\"}\nscenarios:\n  - name: env\n    processes:\n      - {name: prog, run: ./prog run MARKER}\n"
      "checks:\n  - {name: runs, type: exit, points: 10}\n");
  plant();
  const Graded g = attack(Phase::Grade);
  expect_sealed(g);
  EXPECT_EQ(g.cli.code, 0) << g.cli.out << g.cli.err;
  const std::string out = g.stdout_of_run(), log = g.build_log();
  const std::map<std::string, std::string> wanted = {{"PATH", "/usr/local/bin:/usr/bin:/bin"},
                                                     {"LANG", "C.UTF-8"},
                                                     {"TMPDIR", tmpdir_for(cwd_of(out, "run"))},
                                                     {"GREETING", "hello world"},
                                                     {"OMP_NUM_THREADS", "1"}};
  auto run_env = env_of(out, "run");
  EXPECT_EQ(run_env["HOME"], cwd_of(out, "run")) << out;
  EXPECT_FALSE(run_env["HOME"].empty()) << out;
  run_env.erase("HOME");
  EXPECT_EQ(run_env, wanted) << out;
  auto build_env = env_of(log, "build");
  EXPECT_EQ(build_env["HOME"], cwd_of(log, "build")) << log;
  EXPECT_FALSE(build_env["HOME"].empty()) << log;
  for (const auto& [name, value] : wanted) EXPECT_EQ(build_env[name], value) << name;
  std::set<std::string> foreign;
  for (const auto& [name, value] : build_env) {
    if (name != "HOME" && !wanted.count(name) && !kBuildExtras.count(name)) foreign.insert(name);
  }
  EXPECT_TRUE(foreign.empty()) << "the build was handed " << ::testing::PrintToString(foreign);
}

// files: hands the program the instructor's files, copied into its working folder; the assignment folder
// itself (its assignment.yaml, its solution) stays out of reach.
TEST_P(Sealed, InstructorFilesAreCopiedAndTheAssignmentFolderStaysHidden) {
  submit("instructor_files");
  write_file(assignment() / "data" / "input.txt", "sealed-input-" + tag_ + "\n", file_mode());
  write_file(assignment() / "solution" / "prog.c", "/* " + secret("solution") + " */\n", file_mode());
  for (const char* sub : {"data", "solution"})
    fs::permissions(assignment() / sub, tracked() ? fs::perms::owner_all : fs::perms(0755));
  assign(
      "build: {command: make, timeout: 30s}\nlimits: {wall: 2s}\nfiles: [{path: data/input.txt, private: "
      "false}]\nscenarios:\n"
      "  - name: files\n    processes:\n      - {name: prog, run: ./prog run MARKER}\n"
      "checks:\n  - {name: runs, type: exit, points: 10}\n");
  plant();
  const Graded g = attack(Phase::Grade);
  expect_sealed(g);
  EXPECT_EQ(g.cli.code, 0) << g.cli.out << g.cli.err;
  const std::string out = g.stdout_of_run();
  EXPECT_NE(out.find("read data/input.txt: sealed-input-" + tag_ + "\n"), std::string::npos) << out;
  for (const std::string file : {"assignment.yaml", "data/input.txt", "solution/prog.c"}) {
    const std::string line = "read " + (assignment() / file).string() + ": ";
    const size_t at = out.find(line);
    ASSERT_NE(at, std::string::npos) << out;
    const std::string said = out.substr(at + line.size(), out.find('\n', at) - at - line.size());
    // Not there at all in auto mode, though the folder is readable to everyone; unreadable in tracked mode.
    EXPECT_EQ(said, tracked() ? "Permission denied" : "No such file or directory") << file;
  }
}

// The rest of the world, as tracked mode once left it open: a world-readable file of the host, its /tmp
// and /var/tmp, io_uring (whose socket and connect operations pass any filter on system calls), TCP to a
// loopback listener, and a process of the host signalled with rt_sigqueueinfo and through a pidfd. In
// namespaces mode none of it is there; in tracked mode Landlock holds the files and TCP, seccomp io_uring,
// and the tracer the signals.
TEST_P(Sealed, TheHostsFilesSocketsAndProcessesAreOutOfReach) {
  submit("outside_world");
  const fs::path world = fs::temp_directory_path() / ("ipcgrade-test-world-" + tag_ + ".txt");
  write_file(world, secret("world") + "\n", fs::perms(0644));
  secrets_.push_back(secret("world"));
  const pid_t bystander = ::fork();
  if (bystander == 0) {
    ::execlp("sleep", "sleep", "30", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // A Unix socket of the host that anyone may connect to.
  const fs::path socket_path = fs::temp_directory_path() / ("ipcgrade-test-sock-" + tag_);
  const int host_socket = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  socket_path.string().copy(un.sun_path, sizeof un.sun_path - 1);
  ASSERT_EQ(::bind(host_socket, reinterpret_cast<sockaddr*>(&un), sizeof un), 0);
  ::chmod(socket_path.c_str(), 0777);
  ASSERT_EQ(::listen(host_socket, 4), 0);
  assign(
      "build: {command: make, timeout: 30s}\nlimits: {wall: 3s}\nscenarios:\n  - name: reach\n"
      "    processes:\n      - {name: prog, run: [./prog, run, MARKER, " +
      world.string() + ", '" + std::to_string(bystander) + "', " + socket_path.string() + "]}\n");
  plant();
  const Graded g = attack(Phase::Grade);
  expect_sealed(g);
  const std::string out = g.stdout_of_run();
  EXPECT_LT(::accept(host_socket, nullptr, nullptr), 0) << "the host's Unix socket was reached";
  ::close(host_socket);
  fs::remove(socket_path);
  for (const char* got :
       {"read: ", "wrote /var/tmp", "io_uring: set up", "tcp: connected", ": signalled", "unix: connected"})
    EXPECT_EQ(out.find(got), std::string::npos) << got << " in:\n" << out;
  // A container engine's own seccomp profile may refuse io_uring first (ENOSYS): then that is what the
  // program sees, and the grader's filter, never reached, has nothing to list.
  const bool engine_refused = out.find("io_uring refused: Function not implemented\n") != std::string::npos;
  EXPECT_TRUE(engine_refused || out.find("io_uring refused: Operation not permitted\n") != std::string::npos)
      << out;
  // Every refusal of the filter and the guard is listed, with why, for the student to read.
  std::map<std::string, std::string> refused;  // call -> why
  for (const auto& f : g.at("/scenarios/0/refused")) {
    EXPECT_EQ(field(f, "/process"), "prog");
    const std::string call = field(f, "/call").get<std::string>();
    // Landlock's refusals of writes come back as EACCES; the filter's and the guard's as EPERM.
    EXPECT_EQ(field(f, "/error"), call.rfind("openat(", 0) == 0 ? "EACCES" : "EPERM") << call;
    refused[call] = field(f, "/why").get<std::string>();
  }
  if (!engine_refused) {
    EXPECT_EQ(refused["io_uring_setup(4, ...)"],
              "io_uring is not allowed: its operations would pass the sandbox's checks on system calls")
        << g.at("/scenarios/0/refused").dump();
    EXPECT_NE(g.cli.out.find("refused: prog (pid "), std::string::npos) << g.cli.out;
  }
  if (tracked()) {
    const std::string host = std::to_string(bystander);
    for (const char* dir : {"/tmp", "/var/tmp"}) {
      const std::string path = std::string(dir) + "/" + marker_ + "-written";
      EXPECT_EQ(refused["openat(\"" + path + "\", ...)"],
                "tracked mode writes only in the working folder and the run's temporary folder ($TMPDIR); " +
                    path + " is outside them")
          << g.at("/scenarios/0/refused").dump();
    }
    EXPECT_EQ(refused["socket(AF_INET, SOCK_STREAM, 0)"],
              "the run has no network: only Unix sockets are allowed");
    EXPECT_EQ(refused["rt_sigqueueinfo(" + host + ", SIGKILL, ...)"],
              "pid " + host + " is not a process of this run");
    EXPECT_EQ(refused["pidfd_open(" + host + ", 0)"], "pid " + host + " is not a process of this run");
    const auto connect = std::find_if(refused.begin(), refused.end(),
                                      [](const auto& kv) { return kv.first.rfind("connect(", 0) == 0; });
    ASSERT_NE(connect, refused.end()) << g.at("/scenarios/0/refused").dump();
    EXPECT_EQ(connect->first.find(", {AF_UNIX, \"" + socket_path.string() + "\"}, ...)"), 9u)
        << connect->first;
    EXPECT_EQ(connect->second.find("the socket " + socket_path.string() + " is outside the working folder"),
              0u)
        << g.at("/scenarios/0/refused").dump();
    EXPECT_NE(out.find("read refused: Permission denied\n"), std::string::npos) << out;
    EXPECT_NE(out.find("write to /tmp refused: Permission denied\n"), std::string::npos) << out;
    EXPECT_NE(out.find("rt_sigqueueinfo refused: Operation not permitted\n"), std::string::npos) << out;
    EXPECT_NE(out.find("pidfd refused: Operation not permitted\n"), std::string::npos) << out;
    EXPECT_NE(out.find("unix refused: Operation not permitted\n"), std::string::npos) << out;
    EXPECT_NE(g.text("/scenarios/0/enforced/landlock").find("ABI"), std::string::npos);
  }
  EXPECT_EQ(::waitpid(bystander, nullptr, WNOHANG), 0) << "the host's process was killed";
  for (const char* dir : {"/tmp", "/var/tmp"}) {
    const fs::path written = fs::path(dir) / (marker_ + "-written");
    EXPECT_FALSE(fs::exists(written)) << written;
    std::error_code ec;
    fs::remove(written, ec);
  }
  ::kill(bystander, SIGKILL);
  ::waitpid(bystander, nullptr, 0);
  fs::remove(world);
}

INSTANTIATE_TEST_SUITE_P(Modes, Sealed, ::testing::Values("auto", "tracked"),
                         [](const auto& mode) { return mode.param; });

// Root without CAP_SYS_ADMIN (a container's default profile) makes its namespaces inside a user
// namespace of its own, where it cannot give the programs another uid: they run as uid 0 of that
// namespace. With its capabilities, a program could remount the read-only root writable and write the
// grader's own files; it runs without any.
TEST(SealedInAUserNamespace, RootWithoutCapSysAdminHandsTheProgramsNoCapabilities) {
  if (::geteuid() != 0 || ::access("/usr/sbin/capsh", X_OK) != 0)
    GTEST_SKIP() << "needs root and capsh (libcap2-bin) to drop CAP_SYS_ADMIN";
  TempDir dir;
  dir.write("assignment.yaml",
            "assignment: caps\nlimits: {wall: 5s}\nscenarios:\n  - name: caps\n    processes:\n"
            "      - {name: climber, run: [sh, -c, 'grep CapEff /proc/self/status; "
            "mount -o remount,rw / 2>/dev/null && echo remounted /; "
            "mount -o remount,rw /usr 2>/dev/null && echo remounted /usr; "
            "touch /usr/climbed 2>/dev/null && echo wrote /usr; id -u']}\n");
  fs::create_directories(dir.path() / "mallory");
  const std::string command = std::string("/usr/sbin/capsh --drop=cap_sys_admin -- -c '") + IPCGRADE_BINARY +
                              " grade " + dir.path().string() + " " + (dir.path() / "mallory").string() +
                              " --json'";
  std::string out;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
    ::pclose(pipe);
  }
  const json r = json::parse(out);
  const json& s = r["scenarios"][0];
  EXPECT_EQ(r["mode"], "namespaces");
  EXPECT_EQ(s["enforced"]["uid"].get<std::string>().substr(0, 2), "0 ");
  EXPECT_EQ(s["processes"][0]["stdout"], "CapEff:\t0000000000000000\n0\n");
  EXPECT_FALSE(fs::exists("/usr/climbed"));
}
