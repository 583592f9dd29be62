// Decoders, one per call family, in the manner of strace's ipc_msg.c / ipc_shm.c: what each call's
// arguments mean, which results the tracer must wait for, and how descriptors move.
#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/ipc.h>
#include <sys/syscall.h>
#include <sys/time.h>

#include <array>
#include <chrono>

#include <fmt/format.h>

#include "grader/supervise/ipc_names.hpp"
#include "grader/supervise/tracee_memory.hpp"
#include "grader/supervise/tracer_state.hpp"
#include "grader/util/text.hpp"

namespace ipcgrade::supervise {

namespace {

using Args = unsigned long long[6];

std::string num(long long v) {
  return std::to_string(v);
}
int as_int(unsigned long long v) {
  return static_cast<int>(static_cast<std::int32_t>(v));
}

// Describes the ends of `pipe` that the process holds other than `fd`, e.g. "fd 4".
std::string other_ends(const FdTable& fds, long pipe, bool write_end) {
  std::string out;
  for (const auto& [fd, end] : fds) {
    if (end.pipe == pipe && end.write == write_end)
      out += (out.empty() ? "" : ", ") + fmt::format("fd {}", fd);
  }
  return out;
}

void describe_pipe_fd(const FdTable& fds, int fd, trace::Event& e) {
  auto it = fds.find(fd);
  if (it == fds.end()) return;
  e.args["pipe"] = num(it->second.pipe);
  e.args["end"] = it->second.write ? "write" : "read";
}

void pipe_io(CallContext& ctx, const char* name, const Args& a, trace::Event& e) {
  const int fd = as_int(a[0]);
  const FdTable& fds = *ctx.proc.fds;
  auto it = fds.find(fd);
  if (it == fds.end()) return;  // not a pipe we know: a file, a socket, stdin...
  e.call = name;
  e.args["fd"] = num(fd);
  e.args["count"] = num(static_cast<long long>(a[2]));
  describe_pipe_fd(fds, fd, e);
  const bool writing = e.call == "write";
  // The end of the same pipe that this process should have closed: a reader's write ends, a
  // writer's read ends.
  const std::string held = other_ends(fds, it->second.pipe, !writing);
  if (!held.empty()) e.args[writing ? "holds_read_end" : "holds_write_end"] = held;
  if (writing) {
    // The tail of what is written: enough to judge terminators, small enough to stay cheap.
    // And the beginning, for the evidence: what a student recognises as their message (a fixed-size
    // buffer ends in NULs, which would be all the tail shows). One read when the write is that short.
    const size_t count = static_cast<size_t>(a[2]);
    const size_t tail = std::min<size_t>(count, 16);
    const std::string head = read_tracee(ctx.proc.host_pid, a[1], std::min<size_t>(count, 24));
    if (count <= head.size()) {
      e.args["tail"] = util::escape_bytes(std::string_view(head).substr(count - tail));
    } else {
      e.args["tail"] = util::escape_bytes(read_tracee(ctx.proc.host_pid, a[1] + count - tail, tail));
    }
    e.args["head"] = util::escape_bytes(head);
  }
}

void close_fd(FdTable& fds, int fd, trace::Event& e) {
  auto it = fds.find(fd);
  if (it == fds.end()) return;
  e.call = "close";
  e.args["fd"] = num(fd);
  describe_pipe_fd(fds, fd, e);
  fds.erase(it);
}

// dup2/dup3 at entry: the new descriptor first closes, then becomes a copy of the old one if that
// is a pipe. (A failing call leaves a table that is wrong only for descriptors nobody uses.)
void dup_to(FdTable& fds, int oldfd, int newfd, bool cloexec, const char* name, trace::Event& e) {
  if (oldfd == newfd) return;
  auto old = fds.find(oldfd);
  const bool involved = old != fds.end() || fds.count(newfd);
  if (!involved) return;
  e.call = name;
  e.args["oldfd"] = num(oldfd);
  e.args["newfd"] = num(newfd);
  fds.erase(newfd);
  if (old != fds.end()) {
    PipeEnd copy = old->second;
    copy.cloexec = cloexec;
    fds[newfd] = copy;
    describe_pipe_fd(fds, newfd, e);
  }
}

}  // namespace

bool decode_entry(CallContext& ctx, int nr, const Args& a, trace::Event& e) {
  FdTable& fds = *ctx.proc.fds;
  switch (nr) {
    case SYS_msgget:
      e.call = "msgget";
      e.args = {{"key", key_name(as_int(a[0]))},
                {"flags", get_flags_name(as_int(a[1]))},
                {"mode", fmt::format("{:04o}", a[1] & 0777)}};
      return true;
    case SYS_shmget:
      e.call = "shmget";
      e.args = {{"key", key_name(as_int(a[0]))},
                {"size", num(static_cast<long long>(a[1]))},
                {"flags", get_flags_name(as_int(a[2]))},
                {"mode", fmt::format("{:04o}", a[2] & 0777)}};
      return true;
    case SYS_semget:
      e.call = "semget";
      e.args = {{"key", key_name(as_int(a[0]))},
                {"nsems", num(as_int(a[1]))},
                {"flags", get_flags_name(as_int(a[2]))},
                {"mode", fmt::format("{:04o}", a[2] & 0777)}};
      return true;
    case SYS_msgsnd: {
      e.call = "msgsnd";
      e.args = {{"msqid", num(as_int(a[0]))},
                {"msgsz", num(static_cast<long long>(a[2]))},
                {"msgflg", msg_flags_name(as_int(a[3]))}};
      if (auto mtype = read_tracee_value<long>(ctx.proc.host_pid, a[1])) e.args["mtype"] = num(*mtype);
      return false;
    }
    case SYS_msgrcv:
      e.call = "msgrcv";
      e.args = {{"msqid", num(as_int(a[0]))},
                {"msgsz", num(static_cast<long long>(a[2]))},
                {"msgtyp", num(static_cast<long>(a[3]))},
                {"msgflg", msg_flags_name(as_int(a[4]))}};
      // The exit gives the type and size actually received. A loop's repeats skip it (see the tracer).
      return true;
    case SYS_msgctl:
      e.call = "msgctl";
      e.args = {{"msqid", num(as_int(a[0]))}, {"cmd", ctl_command_name(as_int(a[1]), 'm')}};
      return false;
    case SYS_shmat:
      e.call = "shmat";
      e.args = {{"shmid", num(as_int(a[0]))},
                {"shmaddr", a[1] ? hex(a[1]) : "NULL"},
                {"shmflg", shm_flags_name(as_int(a[2]))}};
      return true;
    case SYS_shmdt:
      e.call = "shmdt";
      e.args = {{"shmaddr", hex(a[0])}};
      return false;
    case SYS_shmctl:
      e.call = "shmctl";
      e.args = {{"shmid", num(as_int(a[0]))}, {"cmd", ctl_command_name(as_int(a[1]), 's')}};
      return false;
    case SYS_semop:
    case SYS_semtimedop:
      e.call = nr == SYS_semop ? "semop" : "semtimedop";
      e.args = {{"semid", num(as_int(a[0]))}, {"nsops", num(static_cast<long long>(a[2]))}};
      return false;
    case SYS_semctl:
      e.call = "semctl";
      e.args = {{"semid", num(as_int(a[0]))},
                {"semnum", num(as_int(a[1]))},
                {"cmd", ctl_command_name(as_int(a[2]), 'e')}};
      return false;
    case SYS_pipe:
    case SYS_pipe2:
      e.call = nr == SYS_pipe ? "pipe" : "pipe2";
      if (nr == SYS_pipe2 && (a[1] & O_CLOEXEC)) e.args["flags"] = "O_CLOEXEC";
      return true;
    case SYS_close:
      close_fd(fds, as_int(a[0]), e);
      return false;
    case SYS_close_range: {
      const unsigned first = static_cast<unsigned>(a[0]), last = static_cast<unsigned>(a[1]);
      for (auto it = fds.begin(); it != fds.end();) {
        const auto fd = static_cast<unsigned>(it->first);
        if (fd < first || fd > last) {
          ++it;
        } else if (a[2] & CLOSE_RANGE_CLOEXEC) {
          (it++)->second.cloexec = true;
        } else {
          it = fds.erase(it);
        }
      }
      return false;
    }
    case SYS_dup:
      if (!fds.count(as_int(a[0]))) return false;
      e.call = "dup";
      e.args["oldfd"] = num(as_int(a[0]));
      return true;
    case SYS_fcntl: {
      // The filter stops only F_SETFD and F_DUPFD(_CLOEXEC): what changes the table.
      auto it = fds.find(as_int(a[0]));
      if (it == fds.end()) return false;
      if (as_int(a[1]) == F_SETFD) {
        it->second.cloexec = (a[2] & FD_CLOEXEC) != 0;
        return false;
      }
      e.call = "dup";  // F_DUPFD is dup to the lowest descriptor >= its argument
      e.args["oldfd"] = num(as_int(a[0]));
      return true;
    }
    case SYS_dup2:
      dup_to(fds, as_int(a[0]), as_int(a[1]), false, "dup2", e);
      return false;
    case SYS_dup3:
      dup_to(fds, as_int(a[0]), as_int(a[1]), (a[2] & O_CLOEXEC) != 0, "dup3", e);
      return false;
    case SYS_read:
      pipe_io(ctx, "read", a, e);
      return false;
    case SYS_write:
      pipe_io(ctx, "write", a, e);
      return false;
    case SYS_alarm:
      ctx.proc.timer_until = a[0] ? std::chrono::steady_clock::now() + std::chrono::seconds(a[0])
                                  : std::chrono::steady_clock::time_point{};
      return false;
    case SYS_setitimer:
      if (a[0] == ITIMER_REAL && a[1]) {
        if (auto t = read_tracee_value<itimerval>(ctx.proc.host_pid, a[1])) {
          const auto in =
              std::chrono::seconds(t->it_value.tv_sec) + std::chrono::microseconds(t->it_value.tv_usec);
          ctx.proc.timer_until =
              in.count() ? std::chrono::steady_clock::now() + in : std::chrono::steady_clock::time_point{};
        }
      }
      return false;
    case SYS_timer_settime:
    case SYS_timerfd_settime:
      ctx.proc.timer_until = std::chrono::steady_clock::time_point::max();
      return false;
    default:  // fork, vfork, clone, clone3, exit_group: followed through ptrace events
      return false;
  }
}

bool decode_exit(CallContext& ctx, int nr, const Args& a, long rval, bool is_error, trace::Event& e) {
  if (is_error) {
    e.error = static_cast<int>(-rval);
    e.result = -1;
    return false;
  }
  e.result = rval;
  FdTable& fds = *ctx.proc.fds;
  switch (nr) {
    case SYS_msgget:
    case SYS_shmget:
    case SYS_semget: {
      const int flag_arg = nr == SYS_msgget ? 1 : 2;
      return (a[flag_arg] & IPC_CREAT) != 0;
    }
    case SYS_msgrcv:
      if (auto mtype = read_tracee_value<long>(ctx.proc.host_pid, a[1]))
        e.args["received_mtype"] = num(*mtype);
      return false;
    case SYS_shmat:
      e.result.reset();
      e.args["address"] = hex(static_cast<unsigned long>(rval));
      return false;
    case SYS_pipe:
    case SYS_pipe2: {
      auto ends = read_tracee_value<std::array<int, 2>>(ctx.proc.host_pid, a[0]);
      if (!ends) return false;
      const bool cloexec = nr == SYS_pipe2 && (a[1] & O_CLOEXEC);
      const long id = ctx.next_pipe++;
      fds[(*ends)[0]] = {id, false, cloexec};
      fds[(*ends)[1]] = {id, true, cloexec};
      e.args["pipe"] = num(id);
      e.args["read_fd"] = num((*ends)[0]);
      e.args["write_fd"] = num((*ends)[1]);
      return false;
    }
    case SYS_dup:
    case SYS_fcntl: {
      auto old = fds.find(as_int(a[0]));
      if (old != fds.end()) {
        PipeEnd copy = old->second;
        copy.cloexec = nr == SYS_fcntl && as_int(a[1]) == F_DUPFD_CLOEXEC;
        fds[static_cast<int>(rval)] = copy;
      }
      e.args["newfd"] = num(rval);
      return false;
    }
    default:
      return false;
  }
}

bool worth_recording(const trace::Event& event) {
  return !event.call.empty();
}

}  // namespace ipcgrade::supervise
