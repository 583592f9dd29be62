// The tracer against real programs: a shell pipeline behind dup2, vfork, threads, raw syscall(), a
// static binary; and `ipcgrade run` reporting misuse and leaks like valgrind reports lost blocks.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <fstream>
#include <regex>

#include "tests/host_clean.hpp"
#include "tests/run_cli.hpp"

using namespace ipcgrade::testing;
using nlohmann::json;

namespace {

class Tracer : public HostCleanTest {
 protected:
  // `ipcgrade run --trace FILE [extra] -- PROGRAMS_DIR/<program> [arguments]`; returns the events.
  json run(const std::string& program, int expected_code, std::vector<std::string> extra = {},
           const std::vector<std::string>& arguments = {}) {
    const std::string trace = (dir_.path() / "trace.json").string();
    std::vector<std::string> args{"run", "--trace", trace};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back("--");
    args.push_back(std::string(PROGRAMS_DIR) + "/" + program);
    args.insert(args.end(), arguments.begin(), arguments.end());
    last_ = run_ipcgrade(args);
    EXPECT_EQ(last_.code, expected_code) << last_.err;
    return json::parse(std::ifstream(trace))["scenarios"][0]["events"];
  }

  static std::vector<json> calls(const json& events, const std::string& name) {
    std::vector<json> out;
    for (const auto& e : events) {
      if (e["kind"] == "call" && e["call"] == name) out.push_back(e);
    }
    return out;
  }
  // How many calls the events stand for: identical calls in a loop are one event with a repeat count.
  static size_t times(const std::vector<json>& events) {
    size_t n = 0;
    for (const auto& e : events) n += e.value("repeat", 1);
    return n;
  }
  static size_t count(const json& events, const std::string& kind) {
    size_t n = 0;
    for (const auto& e : events) n += e["kind"] == kind ? 1 : 0;
    return n;
  }

  // ptrace, and the BPF observer where this machine lets the grader load it.
  static std::vector<std::string> tracers() {
    std::vector<std::string> out = {"ptrace"};
    if (observer_loadable()) out.push_back("bpf");
    return out;
  }

  TempDir dir_;
  CliResult last_;
};

}  // namespace

TEST_F(Tracer, ForkDup2AndExecOfAShellPipelineRaiseNoFalseAlarm) {
  const json events = run("pipeline", 0);
  EXPECT_EQ(last_.out, "read 8 bytes\n");  // "ONE\ntwo\n"
  EXPECT_EQ(last_.err.find("look wrong"), std::string::npos) << last_.err;
  EXPECT_NE(last_.err.find("no IPC objects were left behind"), std::string::npos) << last_.err;
  const auto pipes = calls(events, "pipe2");
  ASSERT_GE(pipes.size(), 1u);
  EXPECT_EQ(pipes[0]["args"]["read_fd"], "3");
  EXPECT_EQ(pipes[0]["args"]["write_fd"], "4");
  EXPECT_TRUE(pipes[0].value("judged", true));
  std::vector<json> dups;  // the program's own: the shell dup2s for its pipeline too
  for (const auto& d : calls(events, "dup2")) {
    if (d.value("judged", true)) dups.push_back(d);
  }
  ASSERT_EQ(dups.size(), 1u);
  EXPECT_EQ(dups[0]["args"]["oldfd"], "4");
  EXPECT_EQ(dups[0]["args"]["newfd"], "1");
  EXPECT_EQ(dups[0]["args"]["end"], "write");
  // The shell is followed (its exec is in the trace) but not judged.
  bool shell_exec = false;
  for (const auto& e : events) {
    if (e["kind"] == "exec" && e.value("program", "").find("sh") != std::string::npos) {
      shell_exec = true;
      EXPECT_FALSE(e.value("judged", true));
    }
  }
  EXPECT_TRUE(shell_exec);
  // The parent reads with its write end closed: no end is reported held.
  for (const auto& r : calls(events, "read")) EXPECT_FALSE(r["args"].contains("holds_write_end")) << r;
  EXPECT_GE(times(calls(events, "read")), 2u);  // the data, then end-of-file
}

TEST_F(Tracer, VforkAndExecAreFollowed) {
  IPCGRADE_SKIP_WITHOUT_NAMESPACES();
  const json events = run("vfork_queue", 0);
  EXPECT_EQ(count(events, "spawn"), 2u);
  long parent_pid = 0;
  for (const auto& e : events) {
    if (e["kind"] == "spawn" && !e.contains("parent")) parent_pid = e["pid"];
    if (e["kind"] == "spawn" && e.contains("parent")) {
      EXPECT_EQ(e["parent"], parent_pid);
      EXPECT_EQ(e["pid"], parent_pid + 1);
    }
  }
  const auto get = calls(events, "msgget");
  ASSERT_EQ(get.size(), 1u);
  EXPECT_EQ(get[0]["args"]["key"], "0x00007001");
  EXPECT_EQ(get[0]["args"]["flags"], "IPC_CREAT|0600");
  EXPECT_EQ(get[0]["result"], 0);
  ASSERT_EQ(calls(events, "msgctl").size(), 1u);
  EXPECT_EQ(calls(events, "msgctl")[0]["args"]["cmd"], "IPC_RMID");
}

TEST_F(Tracer, ThreadsBelongToTheirProcess) {
  const json events = run("threads_queue", 0);
  EXPECT_EQ(count(events, "spawn"), 1u);  // threads are not processes
  EXPECT_EQ(count(events, "exit"), 1u);
  const auto sends = calls(events, "msgsnd");
  ASSERT_EQ(times(sends), 2u);
  const long pid = calls(events, "msgget")[0]["pid"];
  for (const auto& s : sends) {
    EXPECT_EQ(s["pid"], pid);  // what getpid() says in the thread
    EXPECT_EQ(s["args"]["mtype"], "5");
    EXPECT_EQ(s["args"]["msgsz"], "8");  // sizeof(struct msg) - sizeof(long), padding included
  }
  EXPECT_EQ(times(calls(events, "msgrcv")), 2u);
}

TEST_F(Tracer, RawSyscallsAreDecodedAndTheLeakNamesItsCreator) {
  IPCGRADE_SKIP_WITHOUT_NAMESPACES();
  const json events = run("raw_syscalls", 1);
  const auto get = calls(events, "msgget");
  ASSERT_EQ(get.size(), 1u);
  EXPECT_EQ(get[0]["args"]["flags"], "IPC_CREAT|0640");
  const auto send = calls(events, "msgsnd");
  ASSERT_EQ(send.size(), 1u);
  EXPECT_EQ(send[0]["args"]["msgsz"], "24");
  EXPECT_EQ(send[0]["args"]["mtype"], "7");
  // The program's debug information knows struct msg: 24 bytes, 16 of payload.
  EXPECT_NE(
      last_.err.find(
          "==ipcgrade==   msgsnd(0, {mtype=7, ...}, 24, 0) at raw_syscalls.c:16 in raw_syscalls (pid 1000)\n"
          "==ipcgrade==     msgsz 24 is sizeof(struct msg), which counts the long mtype; the "
          "payload is 16 bytes\n"),
      std::string::npos)
      << last_.err;
  EXPECT_NE(
      last_.err.find(
          "==ipcgrade== IPC LEAK SUMMARY:\n"
          "==ipcgrade==   message queue key 0x00007003 (id 0, mode 0640, 1 message(s) queued)\n"
          "==ipcgrade==     created by raw_syscalls (pid 1000): msgget(0x00007003, IPC_CREAT|0640) = 0 at "
          "raw_syscalls.c:13\n"
          "==ipcgrade==   1 object(s) left behind; 1 removed\n"),
      std::string::npos)
      << last_.err;
}

TEST_F(Tracer, AStaticBinaryIsTracedAndItsAttachmentReported) {
  IPCGRADE_SKIP_WITHOUT_NAMESPACES();
  const json events = run("static_shm", 1);
  ASSERT_EQ(calls(events, "shmget").size(), 1u);
  EXPECT_EQ(calls(events, "shmget")[0]["args"]["size"], "8192");
  const auto at = calls(events, "shmat");
  ASSERT_EQ(at.size(), 1u);
  const std::string address = at[0]["args"]["address"];
  EXPECT_EQ(address.rfind("0x", 0), 0u);
  EXPECT_NE(last_.err.find("==ipcgrade==   shmat(0, NULL, 0) = " + address +
                           " at static_shm.c:10 in static_shm (pid 1000)\n"
                           "==ipcgrade==     " +
                           address + " was never detached: the process exited while attached; call shmdt(" +
                           address + ") when done with it\n"),
            std::string::npos)
      << last_.err;
  EXPECT_NE(last_.err.find("shared memory segment key 0x00007004 (id 0, mode 0600, 8192 bytes)"),
            std::string::npos)
      << last_.err;
}

TEST_F(Tracer, ACleanProgramExitsZero) {
  run("clean_queue", 0, {"--key", "0x7005"});
  EXPECT_EQ(last_.err, "==ipcgrade== IPC LEAK SUMMARY:\n==ipcgrade==   no IPC objects were left behind\n");
}

TEST_F(Tracer, RunFindsAProgramUnderTmpFromAnotherFolderInBothModes) {
  IPCGRADE_SKIP_WITHOUT_NAMESPACES();
  // Behind the run's private /tmp, the program's own folder stays visible.
  TempDir dir;
  const std::filesystem::path copy = dir.path() / "clean_queue";
  std::filesystem::copy_file(std::filesystem::path(PROGRAMS_DIR) / "clean_queue", copy);
  for (const char* mode : {"namespaces", "tracked"}) {
    const CliResult r = run_ipcgrade({"run", "--isolation", mode, "--key", "0x7005", "--", copy.string()});
    EXPECT_EQ(r.code, 0) << mode << ": " << r.err;
    EXPECT_EQ(r.err, "==ipcgrade== IPC LEAK SUMMARY:\n==ipcgrade==   no IPC objects were left behind\n")
        << mode;
  }
}

TEST_F(Tracer, AKeyOtherThanTheOneGivenIsReported) {
  IPCGRADE_SKIP_WITHOUT_NAMESPACES();
  run("clean_queue", 1, {"--key", "0x5000"});
  EXPECT_NE(last_.err.find("==ipcgrade==   msgget(0x00007005, IPC_CREAT|0600) = 0 at clean_queue.c:13 in "
                           "clean_queue (pid 1000)\n"
                           "==ipcgrade==     key 0x00007005 is not one of your keys (0x00005000)\n"),
            std::string::npos)
      << last_.err;
}

TEST_F(Tracer, RunPassesOnTheProgramsOwnFailure) {
  const CliResult failed = run_ipcgrade({"run", "--", "sh", "-c", "exit 3"});
  EXPECT_EQ(failed.code, 3);
  const CliResult missing = run_ipcgrade({"run", "--", "/nonexistent/program"});
  EXPECT_EQ(missing.code, 127);
  EXPECT_NE(missing.err.find("/nonexistent/program: No such file or directory"), std::string::npos)
      << missing.err;
  const CliResult slow = run_ipcgrade({"run", "--timeout", "300ms", "--", "sleep", "10"});
  EXPECT_EQ(slow.code, 1);
  EXPECT_NE(slow.err.find("the program did not finish: timeout (wall limit 300ms)"), std::string::npos)
      << slow.err;
  EXPECT_LT(slow.seconds, 5.0);
}

TEST_F(Tracer, CallSitesAreExactInCAndCppAtO0AndO2) {
  IPCGRADE_SKIP_WITHOUT_NAMESPACES();
  for (const char* program : {"cpp_queue_O0", "cpp_queue_O2"}) {
    SCOPED_TRACE(program);
    run(program, 1);
    EXPECT_NE(last_.err.find("==ipcgrade==   msgsnd(0, {mtype=1, ...}, 40, 0) at cpp_queue.cpp:17 in " +
                             std::string(program)),
              std::string::npos)
        << last_.err;
    EXPECT_NE(last_.err.find(
                  "msgsz 40 is sizeof(struct Message), which counts the long mtype; the payload is 32 bytes"),
              std::string::npos)
        << last_.err;
  }
  // syscall() through libc's generic wrapper, optimized: the line of the syscall() call.
  run("raw_syscalls_O2", 1);
  EXPECT_NE(
      last_.err.find(
          "==ipcgrade==     created by raw_syscalls_O2 (pid 1000): msgget(0x00007003, IPC_CREAT|0640) = 0 "
          "at raw_syscalls.c:13\n"),
      std::string::npos)
      << last_.err;
}

// Close-on-exec ends go at the exec, however they were marked (pipe2's O_CLOEXEC, fcntl's F_SETFD,
// dup3's O_CLOEXEC and F_DUPFD_CLOEXEC copies): an exec'd reader that holds only its read end is not
// accused of holding the write end, and in a deadlock the only writer named is the one that has it.
TEST_F(Tracer, CloseOnExecEndsLeaveWithTheExec) {
  const std::string program = std::string(PROGRAMS_DIR) + "/cloexec_pipe";
  struct Mode {
    const char* name;
    int line;      // of the pipe() call
    int write_fd;  // the parent's write end
  };
  for (const Mode mode : {Mode{"pipe2", 31, 4}, Mode{"fcntl", 33, 4}, Mode{"dup3", 38, 21}}) {
    SCOPED_TRACE(mode.name);
    const CliResult ok = run_ipcgrade({"run", "--", program, mode.name});
    EXPECT_EQ(ok.code, 0) << ok.err;
    EXPECT_EQ(ok.out, "read 3 lines\n");
    EXPECT_EQ(ok.err.find("IPC calls that look wrong"), std::string::npos) << ok.err;

    const CliResult hang = run_ipcgrade({"run", "--timeout", "10s", "--", program, mode.name, "hang"});
    EXPECT_EQ(hang.code, 1) << hang.err;
    const std::regex why(fmt::format(
        R"(deadlock \(cloexec_pipe \(pid \d+\) is blocked in read on the pipe created at cloexec_pipe\.c:{} \(fd 10\); )"
        R"(its write end is still open in cloexec_pipe \(pid \d+\) \(fd {}, which waits in waitpid for a child\) — )"
        R"(every process must close the write ends it does not use)",
        mode.line, mode.write_fd));
    EXPECT_TRUE(std::regex_search(hang.err, why)) << hang.err;
  }
}

// POSIX message queues are traced with the names the student wrote, the attributes of the queue, and
// a receive's EMSGSIZE; a queue left behind names the mq_open that made it.
TEST_F(Tracer, PosixQueuesAreTracedAndALeftQueueNamesItsCreator) {
  IPCGRADE_SKIP_WITHOUT_NAMESPACES();  // tracked mode sees the machine's own /dev/mqueue, if mounted
  const json events = run("posix_queue", 1);
  const auto open = calls(events, "mq_open");
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0]["args"]["name"], "/relay");
  EXPECT_EQ(open[0]["args"]["oflag"], "O_RDWR|O_CREAT");
  EXPECT_EQ(open[0]["args"]["mq_msgsize"], "64");
  EXPECT_EQ(open[0]["at"], "posix_queue.c:9");
  const auto receive = calls(events, "mq_receive");
  ASSERT_EQ(receive.size(), 1u);
  EXPECT_EQ(receive[0]["args"]["msg_len"], "32");
  EXPECT_EQ(receive[0]["error"], EMSGSIZE);
  EXPECT_NE(last_.err.find("POSIX message queue /relay (mode 0600, 5 bytes)"), std::string::npos)
      << last_.err;
  EXPECT_NE(last_.err.find("created by posix_queue (pid 1000): mq_open(\"/relay\", O_RDWR|O_CREAT, 0600, "
                           "{mq_maxmsg=4, mq_msgsize=64}) = 3 at posix_queue.c:9"),
            std::string::npos)
      << last_.err;
}

// FIFOs, POSIX named semaphores and POSIX shared memory, in both modes: traced under the names the
// student wrote, and each left behind named with the call that made it, then removed.
TEST_F(Tracer, FifosAndPosixObjectsLeftBehindNameTheirCreatorsInBothModes) {
  for (const std::string mode : {"namespaces", "tracked"}) {
    SCOPED_TRACE(mode);
    if (mode == "namespaces" && !namespaces_available()) continue;
    const json events = run("posix_objects", 1, {"--isolation", mode});
    const auto made = calls(events, "mkfifo");
    ASSERT_EQ(made.size(), 1u);
    EXPECT_EQ(made[0]["args"]["pathname"], "test.fifo");
    EXPECT_EQ(made[0]["at"], "posix_objects.c:11");
    const auto opens = calls(events, "open");
    ASSERT_EQ(opens.size(), 2u);  // the FIFO's two ends; the loader's opens are not recorded
    const auto reads = calls(events, "read");
    ASSERT_FALSE(reads.empty());
    EXPECT_EQ(reads[0]["args"]["fifo"], "test.fifo");
    EXPECT_EQ(calls(events, "sem_open").size(), 1u);  // glibc's temporary file is not recorded
    const auto mapped = calls(events, "mmap");
    ASSERT_EQ(mapped.size(), 1u);
    EXPECT_EQ(mapped[0]["args"]["flags"], "MAP_SHARED");
    EXPECT_EQ(mapped[0]["args"]["name"], "/ipcgrade-test-shm");
    const std::string& err = last_.err;
    for (const std::string line :
         {"POSIX shared memory object /ipcgrade-test-shm (mode 0600, 4096 bytes)",
          "shm_open(\"/ipcgrade-test-shm\", O_RDWR|O_CREAT, 0600) = 3 at posix_objects.c:26",
          "POSIX named semaphore /ipcgrade-test-sem (mode 0600)",
          "sem_open(\"/ipcgrade-test-sem\", O_RDWR|O_CREAT, 0600) at posix_objects.c:24",
          "FIFO test.fifo (mode 0600)", "mkfifo(\"test.fifo\", 0600) = 0 at posix_objects.c:11",
          "3 object(s) left behind; 3 removed"})
      EXPECT_NE(err.find(line), std::string::npos) << line << "\n" << err;
    // The mapping the process exited with.
    EXPECT_NE(err.find("the mapping of /ipcgrade-test-shm at 0x"), std::string::npos) << err;
    EXPECT_FALSE(std::filesystem::exists(std::filesystem::symlink_status("test.fifo")));
  }
}

// sem_wait on a named semaphore nobody posts sleeps on a futex in /dev/shm/sem.NAME: a deadlock named
// by the semaphore and its value, in both modes, and the semaphore is left behind and removed.
TEST_F(Tracer, AWaitOnANamedSemaphoreNobodyPostsIsADeadlockNamedBySemaphore) {
  for (const std::string mode : {"namespaces", "tracked"}) {
    SCOPED_TRACE(mode);
    if (mode == "namespaces" && !namespaces_available()) continue;
    const CliResult r = run_ipcgrade({"run", "--isolation", mode, "--timeout", "10s", "--",
                                      std::string(PROGRAMS_DIR) + "/named_sem_wait"});
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_TRUE(
        std::regex_search(r.err, std::regex(R"(deadlock \(named_sem_wait \(pid \d+\) waits in sem_wait on )"
                                            R"(named semaphore /ipcgrade-test-wait \(value 0\); no live )"
                                            R"(process will post it\.\))")))
        << r.err;
    EXPECT_NE(r.err.find("POSIX named semaphore /ipcgrade-test-wait (mode 0600)"), std::string::npos)
        << r.err;
  }
}

// A signal that interrupts a waiting call ends it, in the kernel, with a restart code the program never
// sees. The trace shows what the program saw: a msgrcv failing with EINTR (System V calls are never
// restarted, SA_RESTART or not), and the open of a FIFO that the kernel restarted as the one open it was.
TEST_F(Tracer, ACallASignalInterruptsIsRecordedAsTheProgramSawIt) {
  const json received = run("interrupted_calls", 0, {}, {"msgrcv"});
  EXPECT_EQ(last_.out, "msgrcv: EINTR, again\nreceived 16\n");
  const auto receives = calls(received, "msgrcv");
  ASSERT_EQ(receives.size(), 2u) << received.dump(1);
  EXPECT_EQ(receives[0]["error"], EINTR) << receives[0];
  EXPECT_EQ(receives[0]["at"], "interrupted_calls.c:71");
  EXPECT_EQ(receives[1]["result"], 16) << receives[1];
  EXPECT_FALSE(receives[1].contains("error"));

  const json opened = run("interrupted_calls", 0, {}, {"open"});
  EXPECT_EQ(last_.out, "read 4\n");
  std::vector<json> opens;
  for (const auto& o : calls(opened, "open")) {
    if (o["at"] == "interrupted_calls.c:50") opens.push_back(o);
  }
  ASSERT_EQ(opens.size(), 1u) << opened.dump(1);
  EXPECT_EQ(opens[0]["result"], 3) << opens[0];
  EXPECT_EQ(opens[0].value("repeat", 1), 1);
  EXPECT_FALSE(opens[0].contains("error"));
}

// A pipe's write and read made through stdio (fclose flushing, fgets filling its buffer) are several
// libc frames below the program's line: each is placed at that line, by either tracer (the observer
// copies enough of the stack for those frames).
TEST_F(Tracer, PipeCallsMadeThroughStdioArePlacedAtTheProgramsLines) {
  for (const auto& tracer : tracers()) {
    SCOPED_TRACE(tracer);
    const json events = run("stdio_pipe", 0, {"--tracer", tracer});
    const auto writes = calls(events, "write"), reads = calls(events, "read");
    ASSERT_EQ(writes.size(), 1u) << events.dump(2);
    ASSERT_EQ(reads.size(), 1u) << events.dump(2);
    EXPECT_EQ(writes[0].value("at", ""), "stdio_pipe.c:14");
    EXPECT_EQ(reads[0].value("at", ""), "stdio_pipe.c:20");
  }
}

// A thread other than the first runs exec: under the observer too, the new program's queue calls are
// the process's (the exec gives that thread the process's id), recorded and placed at their lines.
TEST_F(Tracer, CallsAfterAnExecFromASecondThreadAreRecorded) {
  for (const auto& tracer : tracers()) {
    SCOPED_TRACE(tracer);
    const json events = run("thread_exec", 0, {"--tracer", tracer});
    const auto sends = calls(events, "msgsnd"), receives = calls(events, "msgrcv");
    ASSERT_EQ(sends.size(), 1u) << events.dump(2);
    ASSERT_EQ(receives.size(), 1u) << events.dump(2);
    EXPECT_EQ(sends[0].value("at", ""), "thread_exec.c:28");
    EXPECT_EQ(receives[0].value("at", ""), "thread_exec.c:29");
    EXPECT_EQ(receives[0].value("args", json::object()).value("received_mtype", ""), "7");
  }
}
