// Tracked mode: no namespaces around the run (a container that refuses them). The host's world is held
// by the tracer's guard (calls on what is not the run's are refused), Landlock (where the kernel has
// it) and a journal of what the run made, so that a grader that dies still leaves nothing behind; what
// the run left is exactly what the trace (or the run's own uid) shows it made.
#include <signal.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "grader/audit/files.hpp"
#include "grader/audit/journal.hpp"
#include "grader/audit/sysv.hpp"
#include "grader/runner/run_containment.hpp"
#include "grader/sandbox/run_mounts.hpp"
#include "grader/util/text.hpp"
#include "grader/util/units.hpp"

namespace ipcgrade::runner {

namespace {

constexpr long kMqueueMagic = 0x19800202;  // statfs f_type of an mqueue filesystem (linux/magic.h lacks it)

bool mqueue_mounted() {
  struct statfs fs {};
  return ::statfs("/dev/mqueue", &fs) == 0 && fs.f_type == kMqueueMagic;
}

class Tracked final : public RunContainment {
 public:
  explicit Tracked(const RunParts& parts) : parts_(parts) {}
  ~Tracked() override {
    if (mqueue_root_ >= 0) ::close(mqueue_root_);
  }
  Tracked(const Tracked&) = delete;
  Tracked& operator=(const Tracked&) = delete;

  std::string_view mode() const override { return "tracked"; }

  void set_up(std::optional<sandbox::Landlock>& landlock) override {
    const auto& box = parts_.box;
    auto& tracer = parts_.tracer;
    tracer.set_guard(true, {parts_.context.work_dir.string(), box.private_tmp.string()});
    journal_.emplace(box.run_as ? static_cast<long>(*box.run_as) : static_cast<long>(::geteuid()));
    if (!journal_->ok()) spdlog::warn("{}", journal_->error());
    // A uid of the run's own owns nothing else: every object it created is the run's, seen made or not.
    if (box.run_as) journal_->record_uid();
    tracer.on_created([this](trace::IpcKind kind, int id, long key) {
      if (!journaled_.insert({kind, id}).second) return;
      journal_->record(std::string(trace::ipc_kind_name(kind)), id, key);
    });
    if (landlock) {
      // mq_open opens its queue on the IPC namespace's mqueue filesystem, which Landlock refuses unless
      // a rule covers that filesystem's root: the host's where it is mounted, else one mounted for a
      // moment and held by a descriptor.
      if (!mqueue_mounted()) {
        const auto dir = parts_.context.work_dir.parent_path() / "mqueue";
        std::error_code ec;
        std::filesystem::create_directory(dir, ec);
        mqueue_root_ = sandbox::Landlock::mqueue_root(dir.string());
        std::filesystem::remove(dir, ec);
        if (mqueue_root_ >= 0) landlock->queue_fds.push_back(mqueue_root_);
      }
      // The host's folders hold links anywhere: the run may not make one.
      landlock->symlinks = false;
    }
    // Grading: where Landlock holds the run's writes its refusals are listed; where the kernel has
    // none, the names the run makes outside its folders are recorded and removed at the end (`run`'s
    // program is the caller's own, and so are the files it writes).
    if (parts_.context.drop_privileges) {
      const bool held = landlock && sandbox::Landlock::abi() > 0;
      tracer.set_write_refusals(held);
      names_outside_ = !held;
      tracer.set_record_names(!held, static_cast<long>(::time(nullptr)));
      tracer.on_created_file([this](const tracer::Tracer::CreatedFile& made) {
        journal_->record_file(made.path, made.dev, made.ino);
      });
    }
  }

  void describe(std::map<std::string, std::string>& e,
                const std::optional<sandbox::Landlock>& landlock) const override {
    const auto& box = parts_.box;
    e["network"] = "only Unix sockets (seccomp), reaching only the run's own folders (the tracer)";
    e["disk"] = disk_line(parts_, "not enforced (tracked mode: the working folder is on the host's disk)");
    e["files"] =
        landlock && sandbox::Landlock::abi() > 0
            ? "the host's, as Landlock allows: the system folders to read, the run's own folders to write"
        : box.run_as ? "the host's, with the run's uid: it may read and write only where anyone may"
                     : "not isolated (tracked mode with the grader's uid)";
  }

  // Before the kill: each traced process is stopped first, so that a call the kernel is in the middle
  // of (a msgget making a queue) reports its result. SIGKILL alone would end it unseen, and where the
  // run has no uid of its own the trace is the only account of what it made: the queue would be
  // nobody's and stay. A process that does not stop within 200 ms (a vfork parent waiting for its
  // child, which PTRACE_INTERRUPT does not wake) is killed as it is.
  void settle(const std::function<void()>& handle_deferred,
              const std::function<void(pid_t, int)>& handle) override {
    handle_deferred();
    auto asked = parts_.tracer.interrupt_all();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
    while (!asked.empty() && std::chrono::steady_clock::now() < deadline) {
      int status;
      const pid_t pid = ::waitpid(-1, &status, __WALL | WNOHANG);
      if (pid == 0) {
        ::usleep(1000);
        continue;
      }
      if (pid < 0) {
        if (errno == EINTR) continue;
        break;
      }
      asked.erase(pid);
      handle(pid, status);  // a stop is recorded and left stopped: the tracer resumes nothing now
    }
  }

  // No PID namespace whose end takes every process along: kill every process the tracer follows (each
  // fork is followed, daemons included), whatever is in the run's cgroup, and every process of the
  // run's own uid.
  void kill_all() override {
    for (pid_t pid : parts_.tracer.live_pids()) ::kill(pid, SIGKILL);
    for (pid_t pid : parts_.cgroup.members()) ::kill(pid, SIGKILL);
    if (!parts_.box.run_as) return;
    const pid_t killer = ::fork();
    if (killer == 0) {
      const uid_t id = *parts_.box.run_as;
      // As the run's uid, kill(-1) reaches exactly the processes of that uid, never the caller.
      if (::setresuid(id, id, id) == 0) ::kill(-1, SIGKILL);
      ::_exit(0);
    }
    if (killer > 0) {
      while (::waitpid(killer, nullptr, __WALL) < 0 && errno == EINTR) {
      }
    }
  }

  // A child forked a moment before the kill, which nothing else would take down.
  void stopped_after_kill(pid_t pid) override { ::kill(pid, SIGKILL); }

  std::vector<run::Leftover> leftovers(const TraceIndex& index) override;

  bool removed_as_run(const std::string& path) const override { return as_run_.count(path) > 0; }

  void done() override {
    if (journal_) journal_->remove();
  }

 private:
  void add_own_fifos(std::vector<run::Leftover>& all, const TraceIndex& index) {
    add_fifos(all, parts_, index, {parts_.context.work_dir, parts_.box.private_tmp},
              /*tmp_went_with_it=*/false, &as_run_);
  }

  RunParts parts_;
  std::optional<audit::Journal> journal_;
  std::set<std::pair<trace::IpcKind, int>> journaled_;
  int mqueue_root_ = -1;          // the host's mqueue filesystem, for Landlock
  bool names_outside_ = false;    // without Landlock: the run may write anywhere
  std::set<std::string> as_run_;  // leftovers removed with the run's credentials
};

// Exactly the objects the trace shows the run created that still exist as they were created (same key,
// and created by the run's uid when it has one of its own): the host's own objects are never touched.
std::vector<run::Leftover> Tracked::leftovers(const TraceIndex& index) {
  std::vector<run::Leftover> mine;
  for (auto& object : audit::list_sysv_objects()) {
    const auto kind = object.kind;
    // With a uid of its own, every object that uid created is the run's: one made by a call the run
    // was killed in the middle of (the kernel made it, the tracer never saw the call return) too.
    if (parts_.box.run_as) {
      if (object.cuid == static_cast<long>(*parts_.box.run_as)) mine.push_back(object);
      continue;
    }
    auto created = parts_.tracer.created().find({kind, object.id});
    if (created == parts_.tracer.created().end() || created->second != object.key) continue;
    mine.push_back(object);
  }
  // POSIX objects share the host's /dev/shm and queues: with a uid of its own, every file of that uid
  // in /dev/shm; and every object the trace shows the run made and did not unlink, while it exists.
  if (parts_.box.run_as) {
    // The host's queues: where /dev/mqueue is not mounted, through the descriptor Landlock's rule holds.
    const bool mounted = mqueue_mounted();
    const std::string queues = mounted             ? "/dev/mqueue"
                               : mqueue_root_ >= 0 ? "/proc/self/fd/" + std::to_string(mqueue_root_)
                                                   : "";
    for (auto& posix : audit::list_posix_objects("/dev/shm", queues)) {
      if (posix.uid != static_cast<long>(*parts_.box.run_as)) continue;
      mine.push_back(posix);
    }
  }
  for (auto& posix : posix_objects_left(parts_.result.trace, index)) {
    if (std::any_of(mine.begin(), mine.end(),
                    [&](const run::Leftover& l) { return l.kind == posix.kind && l.name == posix.name; }))
      continue;
    if (audit::find_posix_object(posix, parts_.box.run_as ? static_cast<long>(*parts_.box.run_as) : -1)) {
      if (!posix.path.empty()) as_run_.insert(posix.path);
      mine.push_back(std::move(posix));
    }
  }
  // Names made outside the run's folders: with a uid of the run's own, every name of that uid in the
  // host's world-writable folders (/dev/shm only, where Landlock holds the others), however it was
  // made; and each name the trace saw made (anywhere without Landlock, in /dev/shm and /dev/mqueue
  // with it), while it is still the very file the run made. Newest first, so that a folder is emptied
  // before its turn.
  if (!names_outside_ && !parts_.box.run_as && parts_.tracer.created_files().empty()) {
    add_own_fifos(mine, index);
    return mine;
  }
  std::vector<run::Leftover> files;
  if (parts_.box.run_as) {
    files = audit::files_owned_by(*parts_.box.run_as,
                                  names_outside_
                                      ? std::vector<std::filesystem::path>{"/tmp", "/var/tmp", "/dev/shm"}
                                      : std::vector<std::filesystem::path>{"/dev/shm"},
                                  {parts_.context.work_dir, parts_.box.private_tmp});
  }
  const auto& made = parts_.tracer.created_files();
  for (auto it = made.rbegin(); it != made.rend(); ++it) {
    struct stat st {};
    if (::lstat(it->path.c_str(), &st) != 0 || st.st_dev != it->dev || st.st_ino != it->ino) continue;
    auto known =
        std::find_if(files.begin(), files.end(), [&](const run::Leftover& l) { return l.path == it->path; });
    if (known == files.end()) {
      files.push_back(audit::file_leftover(it->path, st));
      known = files.end() - 1;
    }
    known->creator_pid = it->pid;
    known->creator = util::process_label(it->process, it->pid);
    known->creator_process = it->process;
    known->call = it->call;
    known->at = it->at;
  }
  for (auto& file : files) {
    if (std::any_of(mine.begin(), mine.end(), [&](const run::Leftover& l) { return l.path == file.path; }))
      continue;
    if (file.kind == trace::IpcKind::File && file.path.rfind("/dev/shm/", 0) == 0 &&
        file.path.find('/', 9) == std::string::npos) {  // shm_open's file (a POSIX name has no '/')
      file.kind = trace::IpcKind::PosixShm;
      file.name = "/" + util::shown_path(file.path.substr(9));
    }
    as_run_.insert(file.path);
    mine.push_back(std::move(file));
  }
  add_own_fifos(mine, index);
  return mine;
}

}  // namespace

std::unique_ptr<RunContainment> tracked_containment(const RunParts& parts) {
  return std::make_unique<Tracked>(parts);
}

}  // namespace ipcgrade::runner
