// The decoders, on hand-made registers and memory with no process running (as strace's tests/ipc_msg.c
// checks its decoder): what each call records, how it is spelled, and how the descriptor table follows.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/close_range.h>
#include <mqueue.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>

#include <csignal>
#include <cstring>
#include <map>
#include <set>

#include "grader/families/decoders.hpp"
#include "grader/trace/calls.hpp"
#include "grader/trace/spelling.hpp"
#include "tests/fake_memory.hpp"

using namespace ipcgrade;
using namespace ipcgrade::families;

namespace {

// One process's decoding state, as the tracer keeps it.
struct Process {
  FakeMemory memory;
  FdTable fds;
  long next_pipe = 1;
  std::chrono::steady_clock::time_point timer_until{};
  RunNames names;
  DecodeContext ctx{memory, fds, next_pipe, timer_until, names};

  // Decodes a call that returns `rval` (negative: -errno), as the tracer would; returns the event and
  // whether its exit was needed.
  std::pair<trace::Event, bool> call(int nr, std::initializer_list<unsigned long long> registers,
                                     long rval = 0) {
    Registers a = {};
    std::copy(registers.begin(), registers.end(), a);
    trace::Event e;
    const bool exit = decode_entry(ctx, nr, a, e);
    if (exit) decode_exit(ctx, nr, a, rval, rval < 0, e);
    // Every value it recorded is declared by its row, so that the trace file it goes to loads again.
    EXPECT_EQ(trace::undeclared_values(e), std::vector<std::string_view>{}) << e.call;
    return {e, exit};
  }
};

}  // namespace

TEST(Decoders, MsgsndReadsTheTypeFromMemoryAndNeedsNoExit) {
  Process p;
  p.memory.put<long>(0x1000, 3);
  const auto [e, exit] = p.call(SYS_msgsnd, {0, 0x1000, 80, IPC_NOWAIT});
  EXPECT_FALSE(exit);
  EXPECT_EQ(e.value("mtype"), 3);
  EXPECT_EQ(e.value("msgsz"), 80);
  EXPECT_EQ(trace::format_call(e), "msgsnd(0, {mtype=3, ...}, 80, IPC_NOWAIT)");
}

TEST(Decoders, MsggetKeepsTheKeyAndFlagsAsNumbersAndWaitsForTheId) {
  Process p;
  const auto [e, exit] = p.call(SYS_msgget, {0x2b4dde20, IPC_CREAT | IPC_EXCL | 0600}, 5);
  EXPECT_TRUE(exit);
  EXPECT_EQ(e.value("key"), 0x2b4dde20);
  EXPECT_EQ(e.value("flags") & IPC_CREAT, IPC_CREAT);
  EXPECT_EQ(e.value("mode"), 0600);
  EXPECT_EQ(trace::format_call(e), "msgget(0x2b4dde20, IPC_CREAT|IPC_EXCL|0600) = 5");
  // A key above 0x7fffffff is a negative key_t: spelled as the student wrote it.
  const auto high = p.call(SYS_msgget, {0xfffffffful, 0}, 1).first;
  EXPECT_EQ(trace::format_call(high), "msgget(0xffffffff, 0000) = 1");
}

TEST(Decoders, MsgrcvRecordsTheTypeReceivedAtItsExit) {
  Process p;
  p.memory.put<long>(0x2000, 7);
  const auto [e, exit] = p.call(SYS_msgrcv, {2, 0x2000, 64, static_cast<unsigned long long>(-3L), 0}, 64);
  EXPECT_TRUE(exit);
  EXPECT_EQ(e.value("msgtyp"), -3);
  EXPECT_EQ(e.value("received_mtype"), 7);
  EXPECT_EQ(trace::format_call(e), "msgrcv(2, {...}, 64, -3, 0) = 64");
}

TEST(Decoders, CtlCommandsLoseGlibcsIpc64) {
  Process p;
  const auto e = p.call(SYS_msgctl, {4, IPC_RMID | 0x100, 0}).first;
  EXPECT_EQ(e.value("cmd"), IPC_RMID);
  EXPECT_EQ(trace::format_call(e), "msgctl(4, IPC_RMID) = 0");
  EXPECT_EQ(trace::format_call(p.call(SYS_shmctl, {7, SHM_LOCK, 0}).first), "shmctl(7, SHM_LOCK) = 0");
}

TEST(Decoders, ShmatRecordsTheAddressAsItsResult) {
  Process p;
  const auto [e, exit] = p.call(SYS_shmat, {7, 0, SHM_RDONLY}, 0x7f0000001000L);
  EXPECT_TRUE(exit);
  EXPECT_EQ(e.value("address"), 0x7f0000001000L);
  EXPECT_FALSE(e.result);
  EXPECT_EQ(trace::format_call(e), "shmat(7, NULL, SHM_RDONLY) = 0x7f0000001000");
  EXPECT_EQ(trace::format_call(p.call(SYS_shmdt, {0x7f0000001000ull}).first), "shmdt(0x7f0000001000)");
}

TEST(Decoders, AFailedCallCarriesItsErrno) {
  Process p;
  const auto e = p.call(SYS_shmget, {0x5000, 4096, 0600}, -ENOENT).first;
  EXPECT_EQ(e.error, ENOENT);
  EXPECT_EQ(trace::format_call(e), "shmget(0x00005000, 4096, 0600) = -1 ENOENT");
}

TEST(Decoders, SemopReadsItsOperationsFromMemory) {
  Process p;
  const sembuf ops[2] = {{0, -1, SEM_UNDO}, {2, 1, 0}};
  p.memory.put(0x3000, ops);
  const auto [e, exit] = p.call(SYS_semop, {3, 0x3000, 2});
  EXPECT_FALSE(exit);
  ASSERT_EQ(e.sem_ops.size(), 2u);
  EXPECT_EQ(e.sem_ops[0], (trace::SemOp{0, -1, SEM_UNDO}));
  EXPECT_EQ(trace::format_call(e),
            "semop(3, [{sem_num=0, sem_op=-1, sem_flg=SEM_UNDO}, {sem_num=2, sem_op=1, sem_flg=0}], 2)");
  // SETVAL's value travels in the fourth register.
  EXPECT_EQ(trace::format_call(p.call(SYS_semctl, {3, 0, SETVAL, 1}).first), "semctl(3, 0, SETVAL, 1) = 0");
  EXPECT_EQ(trace::format_call(p.call(SYS_semctl, {3, 0, IPC_RMID | 0x100}).first),
            "semctl(3, 0, IPC_RMID) = 0");
  // The operations read back from their spelling in a trace file.
  EXPECT_EQ(trace::parse_sem_ops(trace::sem_ops_text(e.sem_ops)), e.sem_ops);
}

TEST(Decoders, APipesEndsFollowDupCloseAndWrites) {
  Process p;
  p.memory.put(0x4000, std::array<int, 2>{3, 4});
  const auto made = p.call(SYS_pipe2, {0x4000, O_CLOEXEC}, 0).first;
  EXPECT_EQ(made.value("pipe"), 1);
  EXPECT_EQ(made.value("read_fd"), 3);
  EXPECT_EQ(made.value("write_fd"), 4);
  ASSERT_EQ(p.fds.size(), 2u);
  EXPECT_TRUE(p.fds.at(3).cloexec);
  EXPECT_TRUE(p.fds.at(4).write);

  // A write while the process still holds the read end: the end it should have closed is named.
  p.memory.put_bytes(0x5000, "hello, pipe\n");
  const auto w = p.call(SYS_write, {4, 0x5000, 12}).first;
  EXPECT_EQ(w.value("end"), 1);
  EXPECT_EQ(w.other_ends, std::vector<int>{3});
  EXPECT_EQ(w.texts.at("tail"), "hello, pipe\\n");
  EXPECT_EQ(trace::format_call(w), "write(4, \"hello, pipe\\n\", 12)");

  // dup2 onto stdout copies the end without close-on-exec; closing the read end is recorded.
  const auto d = p.call(SYS_dup2, {4, 1}).first;
  EXPECT_EQ(trace::format_call(d), "dup2(4, 1)");
  EXPECT_FALSE(p.fds.at(1).cloexec);
  const auto c = p.call(SYS_close, {3}).first;
  EXPECT_EQ(c.value("pipe"), 1);
  EXPECT_EQ(c.value("end"), 0);
  EXPECT_FALSE(p.fds.count(3));
  // A close of something that is not a pipe's end is not recorded.
  EXPECT_TRUE(p.call(SYS_close, {9}).first.call.empty());
  // A read of the terminal neither.
  EXPECT_TRUE(p.call(SYS_read, {0, 0x6000, 10}).first.call.empty());
}

TEST(Decoders, FcntlDuplicatesAreDupAndSetfdChangesCloseOnExec) {
  Process p;
  p.fds[5] = {1, false, false};
  const auto [e, exit] = p.call(SYS_fcntl, {5, F_DUPFD_CLOEXEC, 10}, 10);
  EXPECT_TRUE(exit);
  EXPECT_EQ(e.call, "dup");
  EXPECT_EQ(e.value("newfd"), 10);
  EXPECT_TRUE(p.fds.at(10).cloexec);
  EXPECT_TRUE(p.call(SYS_fcntl, {5, F_SETFD, FD_CLOEXEC}).first.call.empty());
  EXPECT_TRUE(p.fds.at(5).cloexec);
  // close_range with CLOSE_RANGE_CLOEXEC marks, without it closes.
  p.fds[6] = {1, true, false};
  p.call(SYS_close_range, {6, 6, CLOSE_RANGE_CLOEXEC});
  EXPECT_TRUE(p.fds.at(6).cloexec);
  p.call(SYS_close_range, {0, ~0u, 0});
  EXPECT_TRUE(p.fds.empty());
}

TEST(Decoders, TimersAreNotedNotRecorded) {
  Process p;
  const auto e = p.call(SYS_alarm, {5}).first;
  EXPECT_TRUE(e.call.empty());
  EXPECT_GT(p.timer_until, std::chrono::steady_clock::now());
  p.call(SYS_timer_settime, {1, 0, 0x7000, 0});
  EXPECT_EQ(p.timer_until, std::chrono::steady_clock::time_point::max());
}

// The program's own numbers: a timer 2^62 seconds away overflowed the clock (found by the decoders' fuzz
// target); it is "never" for a run, and a negative one sets no timer, as the kernel refuses it.
TEST(Decoders, TimersOfAnyLengthAreNoted) {
  Process p;
  itimerval far{};
  far.it_value.tv_sec = 1L << 62;
  p.memory.put(0x7000, far);
  p.call(SYS_setitimer, {ITIMER_REAL, 0x7000, 0});
  EXPECT_EQ(p.timer_until, std::chrono::steady_clock::time_point::max());
  itimerval negative{};
  negative.it_value.tv_sec = -5;
  p.memory.put(0x7100, negative);
  p.call(SYS_setitimer, {ITIMER_REAL, 0x7100, 0});
  EXPECT_EQ(p.timer_until, std::chrono::steady_clock::time_point{});
  p.call(SYS_alarm, {0xffffffff00000005ULL});  // only the low 32 bits are alarm's
  EXPECT_LT(p.timer_until, std::chrono::steady_clock::now() + std::chrono::seconds(6));
}

TEST(Decoders, PosixQueuesKeepTheirNameAndTheirAttributes) {
  Process p;
  p.memory.put_bytes(0x8000, std::string("relay\0", 6));  // glibc strips the leading '/'
  mq_attr attr{};
  attr.mq_maxmsg = 10;
  attr.mq_msgsize = 64;
  p.memory.put(0x9000, attr);
  const auto [open, exit] = p.call(SYS_mq_open, {0x8000, O_CREAT | O_EXCL | O_RDWR, 0600, 0x9000}, 3);
  EXPECT_TRUE(exit);
  EXPECT_EQ(open.texts.at("name"), "/relay");
  EXPECT_EQ(open.value("mq_msgsize"), 64);
  EXPECT_EQ(trace::format_call(open),
            "mq_open(\"/relay\", O_RDWR|O_CREAT|O_EXCL, 0600, {mq_maxmsg=10, mq_msgsize=64}) = 3");
  const auto receive = p.call(SYS_mq_timedreceive, {3, 0xa000, 32, 0, 0}, -EMSGSIZE).first;
  EXPECT_EQ(receive.error, EMSGSIZE);
  // Without a timeout they are glibc's mq_receive and mq_send, as the student wrote them.
  EXPECT_EQ(trace::format_call(receive), "mq_receive(3, ..., 32, ...) = -1 EMSGSIZE");
  const auto send = p.call(SYS_mq_timedsend, {3, 0xa000, 5, 1, 0}).first;
  EXPECT_EQ(trace::format_call(send), "mq_send(3, ..., 5, 1)");
  const auto timed = p.call(SYS_mq_timedsend, {3, 0xa000, 5, 1, 0xb000}).first;
  EXPECT_EQ(trace::format_call(timed), "mq_timedsend(3, ..., 5, 1)");
  EXPECT_EQ(trace::format_call(p.call(SYS_mq_unlink, {0x8000}).first), "mq_unlink(\"/relay\")");
  // Opening a queue that exists: no mode, no attributes.
  EXPECT_EQ(trace::format_call(p.call(SYS_mq_open, {0x8000, O_WRONLY, 0, 0}, 4).first),
            "mq_open(\"/relay\", O_WRONLY, NULL) = 4");
}

TEST(CallTable, EveryRecordedCallHasADecoderAndNoGuardCallHasOne) {
  for (const auto& row : trace::call_table()) {
    SCOPED_TRACE(std::string(row.name));
    // Every row of a family that stops; a row that never stops (futex) is only read from /proc.
    const bool decoded = row.stop != trace::Stop::Never &&
                         (row.family == trace::Family::Msg || row.family == trace::Family::Shm ||
                          row.family == trace::Family::Sem || row.family == trace::Family::Descriptors ||
                          row.family == trace::Family::Timers || row.family == trace::Family::Mq ||
                          row.family == trace::Family::Files || row.name == "mmap");
    if (row.stop == trace::Stop::Named) {
      // A library function's name: no system call, no decoder; the call it is recorded from has one.
      EXPECT_EQ(row.nr, -1);
      ASSERT_NE(trace::call_row(row.via), nullptr);
      EXPECT_NE(decoder_for(trace::call_row(row.via)->nr), nullptr);
      EXPECT_EQ(trace::call_row(row.name), &row);
      continue;
    }
    EXPECT_EQ(decoder_for(row.nr) != nullptr, decoded);
    EXPECT_EQ(trace::call_row(row.nr), &row);
    EXPECT_EQ(trace::call_row(row.name), &row);
    if (row.fold == trace::Fold::Raw) {
      EXPECT_GT(row.fold_args, 0);
    }
    if (row.blocks == trace::Blocks::WithoutTimeout) {
      EXPECT_GE(row.timeout_arg, 0);
    }
    if (row.guard == trace::Guard::RunPid) {
      EXPECT_GE(row.pid_arg, 0);
    }
    if (row.guard == trace::Guard::Refuse) {
      EXPECT_FALSE(row.why.empty());
    }
    if (row.stop == trace::Stop::When || row.stop == trace::Stop::PipeIo) {
      EXPECT_FALSE(row.when.empty());
    }
  }
}

TEST(CallTable, RefusedCallsAreWrittenFromTheirRegisters) {
  const unsigned long long socket_args[6] = {AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0};
  EXPECT_EQ(trace::format_raw(*trace::call_row(SYS_socket), socket_args), "socket(AF_INET, SOCK_STREAM, 0)");
  const unsigned long long kill_args[6] = {4242, SIGTERM};
  EXPECT_EQ(trace::format_raw(*trace::call_row(SYS_kill), kill_args), "kill(4242, SIGTERM)");
  const unsigned long long none[6] = {};
  EXPECT_EQ(trace::format_raw(*trace::call_row(SYS_mount), none), "mount(...)");
  const unsigned long long unshare_args[6] = {0x20000};
  EXPECT_EQ(trace::format_raw(*trace::call_row(SYS_unshare), unshare_args), "unshare(0x20000)");
}

TEST(Spelling, EveryValueReadsBackFromItsSpelling) {
  using S = trace::Spelling;
  const std::pair<S, long long> cases[] = {
      {S::Decimal, -42},
      {S::Key, 0x2b4dde20},
      {S::Key, IPC_PRIVATE},
      {S::Key, -1},
      {S::GetFlags, IPC_CREAT | IPC_EXCL | 0640},
      {S::GetFlags, 0},
      {S::Mode, 0600},
      {S::MsgFlags, IPC_NOWAIT | MSG_NOERROR},
      {S::MsgFlags, 0},
      {S::ShmFlags, SHM_RDONLY},
      {S::MsgCommand, IPC_RMID},
      {S::ShmCommand, SHM_UNLOCK},
      {S::SemCommand, 16},
      {S::SemCommand, 99},
      {S::Address, 0},
      {S::Address, 0x7f0000001000},
      {S::Hex, 0},
      {S::PipeEnd, 1},
      {S::OpenFlags, O_CLOEXEC},
  };
  for (const auto& [spelling, value] : cases) {
    const std::string text = trace::spell(spelling, value);
    SCOPED_TRACE(text);
    EXPECT_EQ(trace::parse(spelling, text), value);
  }
  EXPECT_EQ(trace::spell(S::Key, IPC_PRIVATE), "IPC_PRIVATE");
  EXPECT_EQ(trace::key_hex(IPC_PRIVATE), "0x00000000");
  EXPECT_EQ(trace::parse(S::GetFlags, "IPC_CREAT|bogus"), std::nullopt);
}

// A read of a FIFO's descriptor names the FIFO, as its row declares (the check above each call in
// Process::call asserts the row declares every value a decoder records).
TEST(Decoders, AReadOfAFifoNamesItsPipeEndAndFile) {
  Process p;
  p.memory.put_bytes(0x1000, std::string("chat.fifo") + '\0');
  p.memory.fd_files[5] = FileId{1, 7, S_IFIFO | 0600};
  const auto [opened, exit] =
      p.call(SYS_openat, {static_cast<unsigned long long>(AT_FDCWD), 0x1000, O_RDONLY}, 5);
  EXPECT_TRUE(exit);
  EXPECT_EQ(opened.call, "open");
  const auto [read, read_exit] = p.call(SYS_read, {5, 0x2000, 64}, 10);
  EXPECT_EQ(read.call, "read");
  EXPECT_EQ(read.value("end"), 0);
  EXPECT_EQ(read.texts.at("fifo"), "chat.fifo");
}
