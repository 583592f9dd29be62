// A traced process's life: its signals and faults, its forks and execs, its end; and the run's processes
// as the supervisor and the watchdog see them.
#include "grader/tracer/tracer.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <sys/syscall.h>

#include <sys/ipc.h>
#include <algorithm>

#include "grader/families/decoders.hpp"
#include "grader/families/tracee_memory.hpp"
#include "grader/sandbox/spawn.hpp"
#include "grader/trace/ipc_kind.hpp"
#include "grader/tracer/message_structs.hpp"
#include "grader/tracer/tracer_state.hpp"
#include "grader/util/cpus.hpp"
#include "grader/util/fingerprint.hpp"
#include "grader/util/procfs.hpp"
#include "grader/util/text.hpp"
#include "grader/util/units.hpp"

namespace ipcgrade::tracer {

namespace {

std::string exe_of(pid_t pid) {
  std::error_code ec;
  auto target = std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec);
  return ec ? std::string() : target.string();
}

}  // namespace

namespace {
// Whether the process has a handler for `signal` (its SigCgt mask in /proc).
bool catches(pid_t host_pid, int signal) {
  if (signal <= 0 || signal > 64) return false;
  const auto status = util::proc_status(std::to_string(host_pid));
  const auto caught = status.find("SigCgt");
  if (caught == status.end()) return false;
  const unsigned long long mask = std::stoull(caught->second, nullptr, 16);
  return (mask >> (signal - 1) & 1) != 0;
}
}  // namespace

void Tracer::settle_interrupted(Proc& p, int signal) {
  if (!p.interrupted) return;
  Pending held = std::move(*p.interrupted);
  p.interrupted.reset();
  if (signal <= 0 || signal > 64 || held.event.call.empty()) return;
  // A handler runs only for a caught signal; an ignored or default one restarts the call (or ends the
  // process, which then never saw a result).
  if (!catches(p.host_pid, signal)) return;
  // Not remembered for raw folding: a retry that succeeds must not be counted on the failure.
  emit_call(p, std::move(held.event));
}

void Tracer::note_fault(Proc& p, int signal) {
  if (signal != SIGSEGV && signal != SIGBUS && signal != SIGFPE && signal != SIGILL && signal != SIGABRT &&
      signal != SIGPIPE && signal != SIGSYS)
    return;
  siginfo_t info{};
  if (ptrace(PTRACE_GETSIGINFO, p.host_pid, nullptr, &info) != 0) return;
  // A fault of its own: raised by the kernel for what the program did (si_code > 0: a bad address, a
  // division by zero, a write to a pipe nobody reads), or sent by the process to itself (abort()). The
  // same signal sent by another process is a kill, not a crash.
  if (info.si_code <= 0 && info.si_pid != p.pid) return;
  // A handler will run (a SIGSEGV caught and jumped out of): the process lives on, and a later death
  // by the same signal is not this fault.
  if (catches(p.host_pid, signal)) {
    faults_.erase(p.pid);
    return;
  }
  Fault f;
  f.signal = signal;
  if (info.si_code > 0 && (signal == SIGSEGV || signal == SIGBUS || signal == SIGFPE || signal == SIGILL))
    f.address = reinterpret_cast<unsigned long long>(info.si_addr);
  user_regs_struct regs;
  // The line it happened at, in the student's code: a fault inside the C library (strlen(NULL), abort)
  // is named by the student's call that led there.
  if (p.judged && ptrace(PTRACE_GETREGS, p.host_pid, nullptr, &regs) == 0)
    f.at = util::escape_controls(symbolizer_.call_site(p.host_pid, regs));
  faults_[p.pid] = std::move(f);
}

void Tracer::note_unreaped(const Proc& p) {
  std::vector<long> children;
  std::error_code ec;
  const std::string tasks = "/proc/" + std::to_string(p.host_pid) + "/task";
  for (const auto& task : std::filesystem::directory_iterator(tasks, ec)) {
    // The kernel's list of the task's children: zombies (ended, not waited for) included.
    std::istringstream list(util::read_proc_file(task.path().string() + "/children"));
    pid_t host = 0;
    while (list >> host) {
      const auto child = inner_of_.find(host);
      if (child != inner_of_.end()) children.push_back(child->second);
    }
  }
  if (!children.empty()) unreaped_[p.pid] = std::move(children);
}

void Tracer::on_fork(Proc& p) {
  p.forking = false;
  unsigned long child = 0;
  ptrace(PTRACE_GETEVENTMSG, p.host_pid, nullptr, &child);
  if (child != 0 && !procs_.count(static_cast<pid_t>(child))) discover(static_cast<pid_t>(child));
  // The observer's records of the child may be read after it ended (killed by a sibling, say): its
  // calls are placed with the map it was born with.
  if (observer_ && child != 0 && p.judged) symbolizer_.share_map(p.host_pid, static_cast<pid_t>(child));
  if (chaos_ && child != 0) {
    // On a spread run the child goes on the CPU after its parent's, so that the two run at once
    // even when the machine's other work keeps every CPU busy.
    const int at = spread_.empty() ? -1 : util::pinned_cpu(p.host_pid);
    const auto it = std::find(spread_.begin(), spread_.end(), at);
    if (it != spread_.end())
      util::pin_to_cpu(static_cast<pid_t>(child),
                       spread_[(static_cast<std::size_t>(it - spread_.begin()) + 1) % spread_.size()]);
    start_together(static_cast<pid_t>(child), p.host_pid);
    return;
  }
  resume(p, 0);
}

void Tracer::on_exec(Proc& p) {
  settle_interrupted(p, 0);
  p.program = exe_of(p.host_pid);
  symbolizer_.forget(p.host_pid);
  p.judged = !own_dir_.empty() && p.program.rfind(own_dir_, 0) == 0;
  if (name_by_program_ && !p.program.empty()) p.name = std::filesystem::path(p.program).filename().string();
  // A new program starts with the descriptors that were not close-on-exec.
  if (p.fds.use_count() > 1) p.fds = std::make_shared<FdTable>(*p.fds);
  std::erase_if(*p.fds, [](const auto& kv) { return kv.second.cloexec; });
  p.fds->mappings.clear();
  p.recent.clear();
  p.raw.clear();
  // A program the process cannot read (mode 0111) makes it not dumpable, and a tracer without
  // CAP_SYS_PTRACE (root in a container) could then read none of its memory: every call's arguments
  // would be hidden from the checks and the guard. Such a program is not run.
  user_regs_struct regs{};
  if (ptrace(PTRACE_GETREGS, p.host_pid, nullptr, &regs) == 0 &&
      read_tracee(p.host_pid, regs.rip, 1).empty()) {
    note_refusal(
        p, "execve(\"" + util::shown_path(p.program) + "\", ...)", EACCES,
        "the grader cannot read this program's memory (is the file unreadable, mode 0111?): its calls "
        "could not be judged, so it was stopped");
    ::kill(p.host_pid, SIGKILL);
    resume(p, 0);
    return;
  }
  trace::Event& e = emit(p, trace::EventKind::Exec);
  // The submission's message structs (from its debug info), so that message sizes can be judged
  // without being told the payload: `ipcgrade run`, or a message-size check without `payload`.
  if (p.judged) {
    auto cached = structs_.find(p.program);
    if (cached == structs_.end()) {
      cached = structs_.emplace(p.program, message_structs(p.program)).first;
    }
    if (!cached->second.empty() && &e != &sink_) {
      e.message_structs = cached->second;
      for (const auto& s : cached->second) bytes_ += sizeof(s) + s.name.size();
    }
  }
  resume(p, 0);
}

void Tracer::on_exit(pid_t host_pid, int status) {
  drain_observed();  // its last calls come before its end
  auto it = procs_.find(host_pid);
  if (it == procs_.end()) return;
  Proc& p = *it->second;
  settle_interrupted(p, 0);
  if (p.thread) {
    procs_.erase(it);
    return;
  }
  trace::Event& e = emit(p, trace::EventKind::Exit);
  if (WIFEXITED(status)) e.values["code"] = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) e.values["signal"] = WTERMSIG(status);
  // It died of the fault noted at its delivery stop: a crash, with its line.
  if (auto fault = faults_.find(p.pid); fault != faults_.end()) {
    if (WIFSIGNALED(status) && WTERMSIG(status) == fault->second.signal) {
      e.values["crash"] = fault->second.signal;
      if (fault->second.address) e.values["crash_address"] = static_cast<long long>(*fault->second.address);
      if (!fault->second.at.empty()) e.texts["crash_at"] = fault->second.at;
    }
    faults_.erase(fault);
  }
  if (auto left = unreaped_.find(p.pid); left != unreaped_.end()) {
    std::string pids;
    for (long child : left->second) pids += (pids.empty() ? "" : " ") + std::to_string(child);
    e.texts["unreaped"] = pids;
    unreaped_.erase(left);
  }
  procs_.erase(it);
}

std::vector<Tracer::Live> Tracer::live() const {
  std::vector<Live> out;
  const auto now = std::chrono::steady_clock::now();
  for (const auto& [host, p] : procs_) {
    out.push_back({host, p->pid, p->name, p->thread, p->fds.get(), p->timer_until > now});
  }
  return out;
}

std::vector<pid_t> Tracer::live_pids() const {
  std::vector<pid_t> out;
  for (const auto& [host, p] : procs_) out.push_back(host);
  return out;
}

std::set<pid_t> Tracer::interrupt_all() {
  ending_ = true;
  std::set<pid_t> asked;
  for (const auto& entry : procs_) {
    const pid_t host = entry.first;
    if (held_stop(host) == held_.end() && ptrace(PTRACE_INTERRUPT, host, nullptr, nullptr) == 0)
      asked.insert(host);
  }
  return asked;
}

std::vector<Tracer::Alive> Tracer::judged_alive() const {
  std::vector<Alive> out;
  for (const auto& [host, p] : procs_) {
    if (p->judged && !p->thread) out.push_back({host, p->name, p->index, p->pid});
  }
  return out;
}

std::set<pid_t> Tracer::take_ipc_creators() {
  return std::exchange(ipc_creators_, {});
}

}  // namespace ipcgrade::tracer
