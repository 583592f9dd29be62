// The grader's side of a scenario: fork a supervisor, let it enter the sandbox and run the scenario,
// and read its result back. The grader itself never joins a namespace, so nothing a scenario does can
// change what the grader sees of the host.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <linux/capability.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <utility>

#include "grader/run/result_json.hpp"
#include "grader/runner/scenario.hpp"
#include "grader/sandbox/sandbox.hpp"
#include "grader/util/atomic_file.hpp"
#include "grader/util/procfs.hpp"
#include "grader/util/small_file.hpp"

namespace ipcgrade::runner {

namespace {

// How long past its wall limit a scenario's supervisor may take (audit, reclaim) before the grader
// gives up on it.
constexpr auto kSupervisorGrace = std::chrono::seconds(20);

// The supervisor sends its result in frames — an 8-byte length, then CBOR — the result without its
// trace first, then the trace's events a thousand at a time: neither side ever holds the whole trace
// twice over (as one JSON tree, a trace of 100,000 events would take several times its own size).
constexpr size_t kEventsPerFrame = 1000;

void send_frame(int fd, const nlohmann::json& value) {
  const std::vector<std::uint8_t> body = nlohmann::json::to_cbor(value);
  std::vector<std::uint8_t> frame(8);
  const std::uint64_t size = body.size();
  for (int i = 0; i < 8; ++i) frame[i] = static_cast<std::uint8_t>(size >> (8 * i));
  frame.insert(frame.end(), body.begin(), body.end());
  util::write_all(fd, frame.data(), frame.size());
}

void send_result(int fd, run::ScenarioResult result) {
  std::vector<trace::Event> events = std::move(result.trace.events);
  result.trace.events.clear();
  send_frame(fd, nlohmann::json(result));
  for (size_t at = 0; at < events.size(); at += kEventsPerFrame) {
    nlohmann::json chunk = nlohmann::json::array();
    for (size_t i = at; i < std::min(events.size(), at + kEventsPerFrame); ++i) chunk.push_back(events[i]);
    send_frame(fd, chunk);
  }
  send_frame(fd, "end");  // a supervisor that dies mid-trace must not pass for one with a short trace
}

// The grader's side: takes each whole frame off the front of `bytes` as it arrives.
class ResultReader {
 public:
  void take(const std::uint8_t* data, size_t n) {
    bytes_.insert(bytes_.end(), data, data + n);
    size_t at = 0;
    while (bytes_.size() - at >= 8) {
      std::uint64_t size = 0;
      for (int i = 0; i < 8; ++i) size |= static_cast<std::uint64_t>(bytes_[at + i]) << (8 * i);
      if (bytes_.size() - at - 8 < size) break;
      const auto begin = bytes_.begin() + static_cast<std::ptrdiff_t>(at + 8);
      const nlohmann::json value =
          nlohmann::json::from_cbor(begin, begin + static_cast<std::ptrdiff_t>(size));
      if (!result_) {
        result_ = value.get<run::ScenarioResult>();
      } else if (value.is_string() && value == "end") {
        ended_ = true;
      } else {
        for (const auto& e : value) result_->trace.events.push_back(e.get<trace::Event>());
      }
      at += 8 + size;
    }
    bytes_.erase(bytes_.begin(), bytes_.begin() + static_cast<std::ptrdiff_t>(at));
  }
  // The result, once its first frame came and nothing was left half-sent.
  std::optional<run::ScenarioResult> result() {
    if (!bytes_.empty()) throw std::runtime_error("the result ends in the middle of a frame");
    if (!result_) throw std::runtime_error("no result was sent");
    if (!ended_) throw std::runtime_error("the result's trace was cut short");
    return std::move(result_);
  }

 private:
  std::vector<std::uint8_t> bytes_;
  std::optional<run::ScenarioResult> result_;
  bool ended_ = false;
};

// The uid student programs run as when the grader is root: one of the run's own, so that nothing
// else on the host belongs to it (kill(-1) and RLIMIT_NPROC then reach exactly the run's processes).
// Root in a container often lacks some of these: then another uid could not be traced
// (CAP_SYS_PTRACE), its memory read, its objects removed (CAP_IPC_OWNER) or its files handed over.
bool can_manage_another_uid() {
  const auto status = util::proc_status("self");
  const auto effective = status.find("CapEff");
  if (effective == status.end()) return false;
  const unsigned long long caps = std::stoull(effective->second, nullptr, 16);
  for (int cap : {CAP_CHOWN, CAP_KILL, CAP_SETGID, CAP_SETUID, CAP_IPC_OWNER, CAP_SYS_PTRACE}) {
    if ((caps & (1ULL << cap)) == 0) return false;
  }
  return true;
}

std::optional<uid_t> run_uid(const RunContext& context, bool own_user_namespace) {
  if (!context.drop_privileges || ::geteuid() != 0 || own_user_namespace || !can_manage_another_uid())
    return std::nullopt;
  return static_cast<uid_t>(2000000000U + static_cast<unsigned>(::getpid()));
}

// Hands the working folder to the run's uid: the build's or the submission's files become the run's.
// The instructor's `files:` stay the grader's, readable but not writable by the run; the working folder
// and each folder on the way to an instructor file stay the grader's too, writable by the run's group
// and sticky, so that the run creates and deletes its own files but can neither delete nor rename the
// instructor's (a judge program replaced by `echo PASS`). Private files (`judge`: the instructor's
// programs' uid) are that uid's group's alone: the run cannot read them, and a folder of instructor
// files that holds one is not listable by the run either. Closed to every other uid: in tracked mode
// another student's run shares the host's temporary folder. The grader's private scratch folder above
// it is opened for traversal only.
void hand_over(const std::filesystem::path& work, uid_t uid, const RunContext& context,
               std::optional<uid_t> judge) {
  namespace fs = std::filesystem;
  const auto& instructor = context.instructor_files;
  std::set<fs::path> shared_dirs{work}, theirs, own_dirs, secret, secret_dirs;
  for (const auto& file : instructor) {
    theirs.insert(work / file);
    for (fs::path up = fs::path(file).parent_path(); !up.empty(); up = up.parent_path())
      shared_dirs.insert(work / up);
  }
  if (judge) {
    for (const auto& file : context.private_files) {
      secret.insert(work / file);
      for (fs::path up = fs::path(file).parent_path(); !up.empty(); up = up.parent_path())
        secret_dirs.insert(work / up);
    }
  }
  auto under = [](const std::set<fs::path>& roots, const fs::path& path) {
    for (const auto& t : roots) {
      const auto rel = path.lexically_relative(t);
      if (!rel.empty() && *rel.begin() != "..") return true;
    }
    return false;
  };
  // A folder that holds nothing but instructor files is the grader's alone: the run could otherwise add
  // a module beside a judge (tools/difflib.py) that the judge would import.
  for (const auto& dir : shared_dirs) {
    if (dir != work && instructor_only_folder(work, dir.lexically_relative(work), instructor))
      own_dirs.insert(dir);
  }
  auto share = [&](const fs::path& dir) {
    if (!own_dirs.count(dir)) {
      ::chown(dir.c_str(), ::geteuid(), uid);
      ::chmod(dir.c_str(), 01770);
    } else if (secret_dirs.count(dir)) {
      ::chown(dir.c_str(), ::geteuid(), *judge);  // listed by the instructor's programs, crossed by the run
      ::chmod(dir.c_str(), 0751);
    } else {
      ::chown(dir.c_str(), ::geteuid(), ::getegid());
      ::chmod(dir.c_str(), 0755);
    }
  };
  share(work);
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(work, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    const fs::path& path = it->path();
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) continue;
    const bool runnable = S_ISDIR(st.st_mode) || (st.st_mode & S_IXUSR);
    if (shared_dirs.count(path)) {
      share(path);
    } else if (under(secret, path)) {
      // Read (and run) by the instructor's programs only; changed by no one.
      if (!S_ISLNK(st.st_mode)) {
        ::chown(path.c_str(), ::geteuid(), *judge);
        ::chmod(path.c_str(), runnable ? 0750 : 0640);
      }
    } else if (under(theirs, path)) {
      // Readable (and runnable where the instructor made it so) by the run, changed by no one.
      if (!S_ISLNK(st.st_mode)) ::chmod(path.c_str(), runnable ? 0755 : 0644);
    } else {
      ::lchown(path.c_str(), uid, uid);
    }
  }
  if (work.parent_path().filename().string().rfind("ipcgrade-", 0) == 0)
    ::chmod(work.parent_path().c_str(), 0711);
}

// The uid of the instructor's programs where the run has one of its own and some `files:` are private.
std::optional<uid_t> judge_as(const RunContext& context, std::optional<uid_t> run_as) {
  if (!run_as || context.private_files.empty()) return std::nullopt;
  return judge_uid(*run_as);
}

run::ScenarioResult refused(const config::ScenarioSpec& spec, const std::string& error) {
  run::ScenarioResult result;
  result.name = spec.name;
  result.visibility = spec.visibility;
  result.outcome = run::Outcome::CrashedGrader;
  result.outcome_detail = "the sandbox could not be set up: " + error;
  result.sandbox_refused = true;
  result.mode_reason = "namespaces unavailable (" + error + ")";  // what `auto` reports if it falls back
  return result;
}

// The sandbox in namespaces mode, as its steps: namespaces, the run's uid, the filesystem (the
// supervisor's side, then the programs' root made by the init), the working folder handed over; then
// the scenario; then, for the build, its result copied out of the sandbox.
run::ScenarioResult run_in_namespaces(const config::ScenarioSpec& spec, const RunContext& context) {
  sandbox::Sandbox sandbox;
  std::string error;
  if (!sandbox.enter_namespaces(&error)) return refused(spec, error);
  Containment box;
  box.run_as = run_uid(context, sandbox.own_user_namespace());
  sandbox::RunMounts mounts;
  mounts.work_dir = context.work_dir;
  mounts.disk_bytes = context.private_work_dir ? spec.limits.disk : 0;
  mounts.shm_bytes = spec.limits.memory;
  sandbox::RootPlan root;
  root.work_dir = context.work_dir;
  if (!context.judged_dir.empty()) root.keep.push_back(context.judged_dir);
  root.tmp_bytes = spec.limits.disk;
  root.uid = box.run_as.value_or(::geteuid());
  root.gid = box.run_as.value_or(::getegid());
  if (!sandbox.start(mounts, root, &error)) return refused(spec, error);
  box.init = sandbox.init_pid();
  box.mount_namespace = sandbox.mount_namespace();
  box.mqueue_dir = mounts.mqueue_dir();
  box.mounts = &mounts;
  box.root_lines = sandbox.lines();
  if (context.private_work_dir) box.private_tmp = "/tmp";
  box.judge_as = judge_as(context, box.run_as);
  if (box.run_as) hand_over(context.work_dir, *box.run_as, context, box.judge_as);
  run::ScenarioResult result = supervise_scenario(spec, context, box);
  bool refused = false;
  if (context.is_build && result.outcome != run::Outcome::CrashedGrader &&
      !mounts.copy_back(&error, &refused)) {
    result.outcome = refused ? run::Outcome::Limit : run::Outcome::CrashedGrader;
    result.outcome_detail = error;
  }
  return result;
}

[[noreturn]] void supervisor_main(const config::ScenarioSpec& spec, const RunContext& context, bool tracked,
                                  const std::string& mode_reason, int out_fd) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  // The run's orphans (a daemon's parent exited) come to the supervisor, whose loop reaps every
  // child, instead of to PID 1, which in a container may never reap them.
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  // In namespaces mode the run cannot see the supervisor (a PID namespace of its own), and a supervisor
  // that is not root writes its own /proc/self/uid_map, which a process that is not dumpable cannot.
  if (!tracked) ::prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
  run::ScenarioResult result;
  try {
    if (tracked) {
      Containment box;
      box.tracked = true;
      box.mode_reason = mode_reason;
      box.run_as = run_uid(context, false);
      box.judge_as = judge_as(context, box.run_as);
      if (box.run_as) hand_over(context.work_dir, *box.run_as, context, box.judge_as);
      // No /tmp of its own on the host: a folder beside the working folder is the run's TMPDIR, the one
      // place besides the working folder where Landlock lets it write.
      RunContext own = context;
      if (context.private_work_dir && context.env) {
        box.private_tmp = context.work_dir.parent_path() / "tmp";
        std::error_code ec;
        std::filesystem::remove_all(box.private_tmp, ec);
        std::filesystem::create_directory(box.private_tmp, ec);
        // The run's and, through its group, the instructor's programs'.
        ::chmod(box.private_tmp.c_str(), 0770);
        if (box.run_as) ::chown(box.private_tmp.c_str(), *box.run_as, *box.run_as);
        for (auto& e : *own.env) {
          if (e.rfind("TMPDIR=", 0) == 0) e = "TMPDIR=" + box.private_tmp.string();
        }
      }
      result = supervise_scenario(spec, own, box);
    } else {
      result = run_in_namespaces(spec, context);
    }
  } catch (const std::exception& e) {
    result.name = spec.name;
    result.outcome = run::Outcome::CrashedGrader;
    result.outcome_detail = std::string("internal error in the supervisor: ") + e.what();
  }
  send_result(out_fd, std::move(result));
  ::close(out_fd);
  ::_exit(0);
}

run::ScenarioResult crashed(const config::ScenarioSpec& spec, const std::string& why) {
  run::ScenarioResult r;
  r.name = spec.name;
  r.visibility = spec.visibility;
  r.outcome = run::Outcome::CrashedGrader;
  r.outcome_detail = why;
  return r;
}

// One scenario in one supervisor process, in the given mode.
run::ScenarioResult run_once(const config::ScenarioSpec& given, const RunContext& context, bool tracked,
                             const std::string& mode_reason) {
  // Input files are read here, in the grader's view of the filesystem: the supervisor's mount
  // namespace has a /tmp of its own.
  config::ScenarioSpec spec = given;
  try {
    for (auto& p : spec.processes) {
      if (p.stdin_file) p.stdin_text = util::read_file(*std::exchange(p.stdin_file, std::nullopt));
    }
  } catch (const std::exception& e) {
    return crashed(spec, e.what());
  }
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return crashed(spec, std::string("pipe: ") + std::strerror(errno));
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return crashed(spec, std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::close(fds[0]);
    supervisor_main(spec, context, tracked, mode_reason, fds[1]);
  }
  ::close(fds[1]);
  ResultReader reader;
  std::string unreadable;  // a frame that did not parse: reported once the supervisor has ended
  const auto give_up = std::chrono::steady_clock::now() + spec.limits.wall + kSupervisorGrace;
  bool abandoned = false;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(give_up - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      abandoned = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000))) <= 0) continue;
    std::uint8_t buf[65536];
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    try {
      if (unreadable.empty()) reader.take(buf, static_cast<size_t>(n));
    } catch (const std::exception& e) {
      unreadable = e.what();
    }
  }
  ::close(fds[0]);
  if (abandoned) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (abandoned) return crashed(spec, "the scenario's supervisor did not finish in time and was killed");
  try {
    if (!unreadable.empty()) throw std::runtime_error(unreadable);
    return *reader.result();
  } catch (const std::exception& e) {
    const std::string how = WIFSIGNALED(status) ? fmt::format("was killed by signal {}", WTERMSIG(status))
                                                : fmt::format("exited with code {}", WEXITSTATUS(status));
    return crashed(spec, fmt::format("the scenario's supervisor {} without a result ({})", how, e.what()));
  }
}

}  // namespace

uid_t judge_uid(uid_t run_as) {
  return run_as + 100000000U;
}

bool instructor_only_folder(const std::filesystem::path& work, const std::filesystem::path& folder,
                            const std::vector<std::string>& instructor_files) {
  namespace fs = std::filesystem;
  std::set<fs::path> theirs, chain;
  for (const auto& file : instructor_files) {
    const fs::path f = fs::path(file).lexically_normal();
    theirs.insert(f);
    for (fs::path up = f.parent_path(); !up.empty(); up = up.parent_path()) chain.insert(up);
  }
  const fs::path wanted = folder.lexically_normal();
  auto under_theirs = [&](const fs::path& rel) {
    for (fs::path p = rel; !p.empty(); p = p.parent_path()) {
      if (theirs.count(p)) return true;
    }
    return false;
  };
  if (under_theirs(wanted)) return true;  // a folder of `files:` itself, or inside one
  if (!chain.count(wanted)) return false;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(work / wanted, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path rel = it->path().lexically_relative(work);
    if (chain.count(rel) || under_theirs(rel)) continue;
    return false;  // something of the submission's (or the build's) is in it
  }
  return !ec;
}

std::vector<std::string> clean_environment(const std::filesystem::path& work_dir,
                                           const std::vector<std::pair<std::string, std::string>>& extra) {
  std::vector<std::string> env = {"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + work_dir.string(),
                                  "LANG=C.UTF-8", "TMPDIR=/tmp"};
  for (const auto& entry : extra) {
    const auto& [name, value] = entry;
    const std::string prefix = name + "=";
    std::erase_if(env, [&](const std::string& e) { return e.rfind(prefix, 0) == 0; });
    env.push_back(name + "=" + value);
  }
  return env;
}

Isolation isolation_from_string(const std::string& text) {
  if (text == "auto") return Isolation::Auto;
  if (text == "namespaces") return Isolation::Namespaces;
  if (text == "tracked") return Isolation::Tracked;
  throw std::invalid_argument("isolation must be auto, namespaces or tracked, not '" + text + "'");
}

namespace {
bool subreaper = false;

// The zombies that came back to a subreaper grader: processes of a run whose supervisor died before
// them (a killed supervisor's tracees die with it). The grader has no other children between scenarios.
void reap_orphans() {
  if (!subreaper) return;
  while (::waitpid(-1, nullptr, WNOHANG) > 0) {
  }
}
}  // namespace

void become_subreaper() {
  subreaper = ::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0;
}

namespace {

run::ScenarioResult run_contained(const config::ScenarioSpec& spec, const RunContext& context) {
  // Under `auto`, once the kernel has refused the namespaces it will go on refusing them: the
  // following scenarios go straight to tracked mode.
  static std::string refused;
  if (context.isolation == Isolation::Tracked) return run_once(spec, context, true, "");
  if (context.isolation == Isolation::Auto && !refused.empty()) return run_once(spec, context, true, refused);
  run::ScenarioResult result = run_once(spec, context, false, "");
  if (!result.sandbox_refused) return result;
  refused = std::exchange(result.mode_reason, "");
  if (context.isolation == Isolation::Namespaces) return result;  // no fallback: the outcome says why
  spdlog::info("scenario '{}': {}; running it in tracked mode", spec.name, refused);
  return run_once(spec, context, true, refused);
}

}  // namespace

run::ScenarioResult run_scenario(const config::ScenarioSpec& spec, const RunContext& context) {
  struct Reap {
    ~Reap() { reap_orphans(); }
  } reap;
  run::ScenarioResult result = run_contained(spec, context);
  if (result.observer_lost == 0) return result;
  // The BPF observer's ring overflowed: some calls were not recorded, and a grade judged on the rest
  // would be a guess. The run is graded again with every traced call stopping at ptrace.
  const std::uint64_t lost = result.observer_lost;
  spdlog::info("scenario '{}': the BPF observer lost {} record(s); grading it again under ptrace", spec.name,
               lost);
  RunContext again = context;
  again.tracer = config::TracerChoice::Ptrace;
  result = run_contained(spec, again);
  result.enforced["tracer"] = fmt::format(
      "ptrace: the BPF observer lost {} record(s) of this scenario's calls (its ring was full); graded "
      "again with every traced call stopping at ptrace",
      lost);
  return result;
}

}  // namespace ipcgrade::runner
