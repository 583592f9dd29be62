#include "grader/trace/calls.hpp"
#include "grader/trace/call_rows.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <array>
#include <map>
#include <string>

namespace ipcgrade::trace {

namespace {

using S = Spelling;
using Op = Condition::Op;

// A call the watchdog knows a process can sleep in, which runs untraced.
CallRow watched(std::string_view name, int nr, Blocks blocks, int timeout_arg = -1) {
  return {.name = name,
          .nr = nr,
          .family = Family::Process,
          .stop = Stop::Never,
          .blocks = blocks,
          .timeout_arg = timeout_arg};
}
CallRow plain(std::string_view name, int nr, Family family) {
  return {.name = name, .nr = nr, .family = family};
}
// A call that reaches a file by its path and is recorded in every mode, when its file is a FIFO or a
// POSIX object; tracked mode's guard watches the name it makes.
CallRow by_path(std::string_view name, int nr, std::vector<Arg> args, std::vector<Arg> recorded = {},
                Blocks blocks = Blocks::Never) {
  return {.name = name,
          .nr = nr,
          .family = Family::Files,
          .exit = Exit::Always,
          .blocks = blocks,
          .guard = Guard::Name,
          .args = std::move(args),
          .recorded = std::move(recorded)};
}
// The row of a call that makes or removes an object by its name or path.
CallRow of(CallRow row, IpcKind object, bool removes = false) {
  row.object = object;
  row.removes = removes;
  return row;
}
// A library function as the trace names the system call it makes.
CallRow named(std::string_view name, std::string_view via, Family family, std::vector<Arg> args,
              std::vector<Arg> recorded = {}, Creates creates = Creates::No) {
  return {.name = name,
          .family = family,
          .stop = Stop::Named,
          .creates = creates,
          .args = std::move(args),
          .recorded = std::move(recorded),
          .via = via};
}

// What the decoders record of an object a POSIX open makes by its name: the umask its mode met,
// whether the name was there before (until the exit says whether the call made it), and the file's
// identity, which the end of a tracked run checks before it removes anything.
// The name of the FIFO a descriptor's pipe is (a pipe made by pipe(2) has none).
const Arg kFifoName{"fifo", Spelling::Path};

const std::vector<Arg> kMadeByName = {{"umask"}, {"existed"}, {"created"}, {"dev"}, {"ino"}};

std::vector<Arg> operator+(std::vector<Arg> a, const std::vector<Arg>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::vector<CallRow> make_table() {
  std::vector<CallRow> rows = {
      // System V message queues.
      {.name = "msgget",
       .nr = SYS_msgget,
       .family = Family::Msg,
       .exit = Exit::Always,
       .creates = Creates::WithIpcCreat,
       .args = {{"key", S::Key}, {"flags", S::GetFlags}},
       .recorded = {{"mode", S::Mode}}},
      {.name = "msgsnd",
       .nr = SYS_msgsnd,
       .family = Family::Msg,
       .fold = Fold::Raw,
       .fold_args = 4,
       .fold_memory = 1,
       .blocks = Blocks::Always,
       .capture = Capture::Mtype,
       .args = {{"msqid"}, {"mtype", S::MtypeStruct}, {"msgsz"}, {"msgflg", S::MsgFlags}}},
      {.name = "msgrcv",
       .nr = SYS_msgrcv,
       .family = Family::Msg,
       .exit = Exit::Always,
       .fold = Fold::Raw,
       .fold_args = 5,
       .blocks = Blocks::Always,
       .capture = Capture::Mtype,
       .args = {{"msqid"}, {"msgp", S::OutStruct}, {"msgsz"}, {"msgtyp"}, {"msgflg", S::MsgFlags}},
       .recorded = {{"received_mtype"}}},
      {.name = "msgctl",
       .nr = SYS_msgctl,
       .family = Family::Msg,
       .exit = Exit::Always,  // its result: a failed SETVAL initialises nothing, a failed IPC_RMID removes
                              // nothing
       .guard = Guard::OwnObject,
       .args = {{"msqid"}, {"cmd", S::MsgCommand}}},
      // System V shared memory.
      {.name = "shmget",
       .nr = SYS_shmget,
       .family = Family::Shm,
       .exit = Exit::Always,
       .creates = Creates::WithIpcCreat,
       .args = {{"key", S::Key}, {"size"}, {"flags", S::GetFlags}},
       .recorded = {{"mode", S::Mode}}},
      {.name = "shmat",
       .nr = SYS_shmat,
       .family = Family::Shm,
       .exit = Exit::Always,
       .allocates = true,
       .args = {{"shmid"}, {"shmaddr", S::Address}, {"shmflg", S::ShmFlags}},
       .recorded = {{"address", S::Hex}}},
      {.name = "shmdt", .nr = SYS_shmdt, .family = Family::Shm, .args = {{"shmaddr", S::Hex}}},
      {.name = "shmctl",
       .nr = SYS_shmctl,
       .family = Family::Shm,
       .exit = Exit::Always,  // its result: a failed SETVAL initialises nothing, a failed IPC_RMID removes
                              // nothing
       .guard = Guard::OwnObject,
       .args = {{"shmid"}, {"cmd", S::ShmCommand}}},
      // System V semaphores.
      {.name = "semget",
       .nr = SYS_semget,
       .family = Family::Sem,
       .exit = Exit::Always,
       .creates = Creates::WithIpcCreat,
       .args = {{"key", S::Key}, {"nsems"}, {"flags", S::GetFlags}},
       .recorded = {{"mode", S::Mode}}},
      // A P() and a V() often pass the same buffer: the operations are read before loops fold.
      {.name = "semop",
       .nr = SYS_semop,
       .family = Family::Sem,
       .fold = Fold::Decoded,
       .blocks = Blocks::Always,
       .capture = Capture::SemOps,
       .args = {{"semid"}, {"sops", S::SemOps}, {"nsops"}}},
      {.name = "semtimedop",
       .nr = SYS_semtimedop,
       .family = Family::Sem,
       .fold = Fold::Decoded,
       .blocks = Blocks::WithoutTimeout,
       .timeout_arg = 3,
       .capture = Capture::SemOps,
       .args = {{"semid"}, {"sops", S::SemOps}, {"nsops"}}},
      {.name = "semctl",
       .nr = SYS_semctl,
       .family = Family::Sem,
       .exit = Exit::Always,  // its result: a failed SETVAL initialises nothing, a failed IPC_RMID removes
                              // nothing
       .guard = Guard::OwnObject,
       .args = {{"semid"}, {"semnum"}, {"cmd", S::SemCommand}, {"value"}}},
      // Pipes and the descriptors that hold their ends.
      {.name = "pipe",
       .nr = SYS_pipe,
       .family = Family::Descriptors,
       .exit = Exit::Always,
       .recorded = {{"pipe"}, {"read_fd"}, {"write_fd"}}},
      {.name = "pipe2",
       .nr = SYS_pipe2,
       .family = Family::Descriptors,
       .exit = Exit::Always,
       .recorded = {{"flags", S::OpenFlags}, {"pipe"}, {"read_fd"}, {"write_fd"}}},
      {.name = "close",
       .nr = SYS_close,
       .family = Family::Descriptors,
       .args = {{"fd"}},
       .recorded = {{"pipe"}, {"end", S::PipeEnd}, kFifoName}},
      {.name = "close_range",
       .nr = SYS_close_range,
       .family = Family::Descriptors,
       .args = {{"first"}, {"last"}, {"flags", S::Hex}}},
      {.name = "dup",
       .nr = SYS_dup,
       .family = Family::Descriptors,
       .exit = Exit::IfDecoded,
       .args = {{"oldfd"}},
       .recorded = {{"newfd"}, {"pipe"}, {"end", S::PipeEnd}, kFifoName}},
      {.name = "dup2",
       .nr = SYS_dup2,
       .family = Family::Descriptors,
       .args = {{"oldfd"}, {"newfd"}},
       .recorded = {{"pipe"}, {"end", S::PipeEnd}, kFifoName}},
      {.name = "dup3",
       .nr = SYS_dup3,
       .family = Family::Descriptors,
       .args = {{"oldfd"}, {"newfd"}},
       .recorded = {{"pipe"}, {"end", S::PipeEnd}, kFifoName}},
      // Only where it changes the table of descriptors: libc calls fcntl often for other things. Its
      // duplicates are recorded as dup.
      {.name = "fcntl",
       .nr = SYS_fcntl,
       .family = Family::Descriptors,
       .stop = Stop::When,
       // F_SETOWN and F_SETOWN_EX: tracked mode holds the owner (who gets SIGIO) to the run's own.
       .when = {{1, Op::Eq, F_SETFD},
                {1, Op::Eq, F_DUPFD},
                {1, Op::Eq, F_DUPFD_CLOEXEC},
                {1, Op::Eq, F_SETOWN},
                {1, Op::Eq, F_SETOWN_EX}},
       .exit = Exit::IfDecoded},
      {.name = "read",
       .nr = SYS_read,
       .family = Family::Descriptors,
       .stop = Stop::PipeIo,
       .when = {{0, Op::Gt, 2}},
       .fold = Fold::Decoded,
       .blocks = Blocks::PipeRead,
       .capture = Capture::Args,
       .args = {{"fd"}, {"buf", S::Elided}, {"count"}},
       .recorded = {{"pipe"}, {"end", S::PipeEnd}, kFifoName}},
      {.name = "write",
       .nr = SYS_write,
       .family = Family::Descriptors,
       .stop = Stop::PipeIo,
       .when = {{0, Op::Gt, 2}},
       .fold = Fold::Decoded,
       .blocks = Blocks::PipeWrite,
       .capture = Capture::Write,
       .args = {{"fd"}, {"head", S::Bytes}, {"count"}},
       .recorded = {{"pipe"}, {"end", S::PipeEnd}, kFifoName, {"tail", S::Bytes}}},
      // POSIX message queues. glibc passes mq_open and mq_unlink the name without its leading '/': the
      // decoder puts it back, as the student wrote it. A receive or send without a timeout blocks.
      {.name = "mq_open",
       .nr = SYS_mq_open,
       .family = Family::Mq,
       .exit = Exit::Always,
       .creates = Creates::WithOCreat,
       .object = IpcKind::PosixMq,
       .args = {{"name", S::Path}, {"oflag", S::MqOpenFlags}, {"mode", S::Mode}, {"attr", S::MqAttr}},
       .recorded = kMadeByName + std::vector<Arg>{{"mq_maxmsg"}, {"mq_msgsize"}}},
      {.name = "mq_unlink",
       .nr = SYS_mq_unlink,
       .family = Family::Mq,
       .object = IpcKind::PosixMq,
       .removes = true,
       .args = {{"name", S::Path}}},
      {.name = "mq_timedsend",
       .nr = SYS_mq_timedsend,
       .family = Family::Mq,
       .fold = Fold::Raw,
       .fold_args = 5,  // the timeout too: with none, the call is mq_send or mq_receive
       .blocks = Blocks::WithoutTimeout,
       .timeout_arg = 4,
       .capture = Capture::Args,
       .args = {{"mqdes"}, {"msg_ptr", S::Elided}, {"msg_len"}, {"msg_prio"}}},
      {.name = "mq_timedreceive",
       .nr = SYS_mq_timedreceive,
       .family = Family::Mq,
       .exit = Exit::Always,
       .fold = Fold::Raw,
       .fold_args = 5,  // the timeout too: with none, the call is mq_send or mq_receive
       .blocks = Blocks::WithoutTimeout,
       .timeout_arg = 4,
       .capture = Capture::Args,
       .args = {{"mqdes"}, {"msg_ptr", S::Elided}, {"msg_len"}, {"msg_prio", S::Elided}}},
      {.name = "mq_notify",
       .nr = SYS_mq_notify,
       .family = Family::Mq,
       .args = {{"mqdes"}, {"sevp", S::Elided}}},
      {.name = "mq_getsetattr",
       .nr = SYS_mq_getsetattr,
       .family = Family::Mq,
       .args = {{"mqdes"}, {"newattr", S::Elided}, {"oldattr", S::Elided}}},
      named("mq_send", "mq_timedsend", Family::Mq,
            {{"mqdes"}, {"msg_ptr", S::Elided}, {"msg_len"}, {"msg_prio"}}),
      named("mq_receive", "mq_timedreceive", Family::Mq,
            {{"mqdes"}, {"msg_ptr", S::Elided}, {"msg_len"}, {"msg_prio", S::Elided}}),
      named("mq_close", "close", Family::Mq, {{"mqdes"}}, {{"name", S::Path}}),
      // FIFOs, POSIX shared memory and named semaphores: files. Every open stops, in every mode, because
      // only its result tells a FIFO from a file; an open of anything else is not recorded. glibc makes
      // shm_open an openat of /dev/shm/NAME, sem_open one of /dev/shm/sem.NAME (a new semaphore is a
      // temporary file linked to that name), shm_unlink and sem_unlink their unlink, mkfifo a mknodat.
      by_path("open", SYS_open, {kPath, {"flags", S::MqOpenFlags}, kMode}, {{"fifo"}, {"end", S::PipeEnd}},
              Blocks::FifoOpen),
      by_path("openat", SYS_openat, {kDirFd, kPath, {"flags", S::MqOpenFlags}, kMode}, {}, Blocks::FifoOpen),
      by_path("mknod", SYS_mknod, {kPath, kMode, {"dev"}}),
      by_path("mknodat", SYS_mknodat, {kDirFd, kPath, kMode, {"dev"}}),
      by_path("link", SYS_link, {{"oldpath", S::Elided}, {"newpath", S::Path}}),
      by_path("linkat", SYS_linkat,
              {{"olddirfd", S::DirFd},
               {"oldpath", S::Elided},
               {"newdirfd", S::DirFd},
               {"newpath", S::Path},
               {"flags"}}),
      {.name = "unlink",
       .nr = SYS_unlink,
       .family = Family::Files,
       .exit = Exit::Always,
       .object = IpcKind::Fifo,  // a FIFO's (a POSIX object's unlink is shm_unlink or sem_unlink)
       .removes = true,
       .args = {kPath},
       .recorded = {{"fifo"}}},
      {.name = "unlinkat",
       .nr = SYS_unlinkat,
       .family = Family::Files,
       .exit = Exit::Always,
       .args = {kDirFd, kPath, {"flags"}}},
      {.name = "ftruncate",
       .nr = SYS_ftruncate,
       .family = Family::Files,
       .exit = Exit::Always,
       .args = {{"fd"}, {"length"}},
       .recorded = {{"name", S::Path}}},
      {.name = "munmap",
       .nr = SYS_munmap,
       .family = Family::Files,
       .args = {{"addr", S::Hex}, {"length"}},
       .recorded = {{"name", S::Path}}},
      of(named("mkfifo", "mknodat", Family::Files, {kPath, kMode},
               {{"fifo"}, {"umask"}, {"dev"}, {"ino"}, {"where", S::Path}}, Creates::Always),
         IpcKind::Fifo),
      of(named("shm_open", "openat", Family::Files, {{"name", S::Path}, {"oflag", S::MqOpenFlags}, kMode},
               kMadeByName, Creates::WithOCreat),
         IpcKind::PosixShm),
      of(named("shm_unlink", "unlink", Family::Files, {{"name", S::Path}}), IpcKind::PosixShm, true),
      of(named("sem_open", "openat", Family::Files, {{"name", S::Path}, {"oflag", S::MqOpenFlags}, kMode},
               kMadeByName + std::vector<Arg>{{"temporary", S::Path}}, Creates::WithOCreat),
         IpcKind::PosixSem),
      of(named("sem_unlink", "unlink", Family::Files, {{"name", S::Path}}), IpcKind::PosixSem, true),
      // Processes: followed through ptrace's events; the waits are the watchdog's.
      plain("fork", SYS_fork, Family::Process),
      plain("vfork", SYS_vfork, Family::Process),
      plain("clone", SYS_clone, Family::Process),
      // clone3's flags are in memory, where a filter cannot read them and another thread could change
      // them after the tracer had: answered ENOSYS, libc falls back to clone, whose flags are judged.
      {.name = "clone3", .nr = SYS_clone3, .stop = Stop::Never, .guard = Guard::Absent},
      plain("exit_group", SYS_exit_group, Family::Process),
      watched("wait4", SYS_wait4, Blocks::Always),
      watched("waitid", SYS_waitid, Blocks::Always),
      watched("pause", SYS_pause, Blocks::Always),
      watched("rt_sigsuspend", SYS_rt_sigsuspend, Blocks::Always),
      watched("rt_sigtimedwait", SYS_rt_sigtimedwait, Blocks::WithoutTimeout, 2),  // sigwait, sigwaitinfo
      // FUTEX_WAIT: a POSIX semaphore (named or in a POSIX shared-memory object), a mutex, a join. The
      // files family says which (families/files/blocking.cpp).
      {.name = "futex",
       .nr = SYS_futex,
       .family = Family::Files,
       .stop = Stop::Never,
       .blocks = Blocks::WithoutTimeout,
       .timeout_arg = 3},
      // Timers: a process with one pending is never called deadlocked.
      plain("alarm", SYS_alarm, Family::Timers),
      plain("setitimer", SYS_setitimer, Family::Timers),
      plain("timer_settime", SYS_timer_settime, Family::Timers),
      plain("timerfd_settime", SYS_timerfd_settime, Family::Timers),
      // Allocations: only the result matters, an ENOMEM names the memory limit. Nothing is recorded.
      // An mmap of a POSIX shared-memory object's descriptor is recorded (decode_files.cpp).
      {.name = "mmap",
       .nr = SYS_mmap,
       .family = Family::Memory,
       .exit = Exit::Always,
       .args = {{"addr", S::Address},
                {"length"},
                {"prot", S::MmapProt},
                {"flags", S::MmapFlags},
                {"fd"},
                {"offset"}},
       .recorded = {{"address", S::Hex}, {"name", S::Path}}},
      {.name = "mremap", .nr = SYS_mremap, .family = Family::Memory, .exit = Exit::Always},
  };
  // Then the rows of the calls tracked mode's guard and the sandbox hold (calls_guard.cpp).
  for (auto& row : guard_rows()) rows.push_back(std::move(row));
  return rows;
}

struct Index {
  std::vector<const CallRow*> by_nr;
  std::map<std::string_view, const CallRow*> by_name;
};

const Index& index() {
  static const Index idx = [] {
    Index i;
    for (const auto& row : call_table()) {
      i.by_name[row.name] = &row;
      if (row.nr < 0) continue;  // a library function's name
      if (row.nr >= static_cast<int>(i.by_nr.size())) i.by_nr.resize(static_cast<size_t>(row.nr) + 1);
      i.by_nr[static_cast<size_t>(row.nr)] = &row;
    }
    return i;
  }();
  return idx;
}

}  // namespace

const std::vector<CallRow>& call_table() {
  static const std::vector<CallRow> table = make_table();
  return table;
}

const CallRow* call_row(int nr) {
  const auto& by_nr = index().by_nr;
  return nr >= 0 && static_cast<size_t>(nr) < by_nr.size() ? by_nr[static_cast<size_t>(nr)] : nullptr;
}

const CallRow* call_row(std::string_view name) {
  const auto& by_name = index().by_name;
  const auto it = by_name.find(name);
  return it == by_name.end() ? nullptr : it->second;
}

Spelling spelling_of(std::string_view call, ValueName name) {
  if (const CallRow* row = call_row(call)) {
    for (const auto* list : {&row->args, &row->recorded}) {
      for (const auto& arg : *list) {
        if (arg.name == name) return arg.spelling;
      }
    }
  }
  return Spelling::Decimal;
}

}  // namespace ipcgrade::trace
