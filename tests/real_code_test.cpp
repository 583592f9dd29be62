// Patterns of real student code that the samples' one-bug variants do not show: two programs that both
// pass IPC_CREAT, attachments inherited through fork, a process killed while attached, a server that
// outlives the shell that started it, a fixed-size buffer written to a pipe, a shell waiting for its
// children. Each is graded or `run` with the real binary, and the test asserts what a student reads.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "tests/host_clean.hpp"
#include "tests/run_cli.hpp"

using namespace ipcgrade::testing;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// The sender and the receiver of a real homework: both call shmget with IPC_CREAT, the sender first.
constexpr const char* kSender = R"(#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
int main(int argc, char **argv) {
  key_t key = (key_t)strtol(argv[1], NULL, 0);
  int id = shmget(key, 4096, IPC_CREAT | 0666);
  char *text = shmat(id, NULL, 0);
  strcpy(text, "hello");
  shmdt(text);
  return 0;
}
)";
constexpr const char* kReceiver = R"(#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/shm.h>
int main(int argc, char **argv) {
  key_t key = (key_t)strtol(argv[1], NULL, 0);
  /* Nobody removes the segment: the leak to be blamed on its creator, the sender. */
  int id = shmget(key, 4096, IPC_CREAT | 0666);
  char *text = shmat(id, NULL, 0);
  printf("%s\n", text);
  shmdt(text);
  return 0;
}
)";

// Attaches a segment, marks it for removal, and waits: killed by the grader while attached.
constexpr const char* kAttachAndWait = R"(#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>
int main(void) {
  int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
  char *p = shmat(id, NULL, 0);
  shmctl(id, IPC_RMID, NULL);
  p[0] = 1;
  for (;;) pause();
}
)";

// A server that waits for requests for ever, and a client that sends one.
constexpr const char* kServer = R"(#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/msg.h>
struct request { long mtype; char text[32]; };
int main(int argc, char **argv) {
  int q = msgget((key_t)strtol(argv[1], NULL, 0), IPC_CREAT | 0600);
  struct request r;
  for (;;) msgrcv(q, &r, sizeof r.text, 1, 0);
}
)";
constexpr const char* kClient = R"(#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <unistd.h>
struct request { long mtype; char text[32]; };
int main(int argc, char **argv) {
  int q;
  while ((q = msgget((key_t)strtol(argv[1], NULL, 0), 0)) < 0) usleep(10000);
  struct request r = {1, "hi"};
  return msgsnd(q, &r, sizeof r.text, 0);
}
)";

// Writes a fixed-size buffer to a pipe while it keeps the read end: the evidence shows the first bytes.
constexpr const char* kFixedBuffer = R"(#include <string.h>
#include <unistd.h>
int main(void) {
  int fds[2];
  pipe(fds);
  char buffer[50];
  memset(buffer, 0, sizeof buffer);
  strcpy(buffer, "hi");
  write(fds[1], buffer, sizeof buffer);
  return 0;
}
)";

// Reads a pipe it still holds the write end of: blocked for ever, while the shell that started it waits.
constexpr const char* kSelfReader = R"(#include <unistd.h>
int main(void) {
  int fds[2];
  char c;
  pipe(fds);
  return (int)read(fds[0], &c, 1);
}
)";

class RealCode : public HostCleanTest {
 protected:
  // Writes the programs and a Makefile into the submission folder, and builds them there (for `run`).
  fs::path submission(const std::vector<std::pair<std::string, std::string>>& programs, bool build) {
    const fs::path dir = dir_.path() / "student";
    fs::create_directories(dir);
    std::string all = "all:", rules;
    for (const auto& [name, source] : programs) {
      dir_.write("student/" + name + ".c", source);
      all += " " + name;
      rules += name + ": " + name + ".c\n\tcc -g -O0 -w -o " + name + " " + name + ".c\n";
    }
    dir_.write("student/Makefile", all + "\n" + rules);
    if (build) {
      const int rc = std::system(("make -s -C " + dir.string() + " > /dev/null").c_str());
      EXPECT_EQ(rc, 0);
    }
    return dir;
  }

  json grade(const std::string& body, int expected_code) {
    dir_.write("assignment.yaml", "assignment: real-code\nbuild: {command: make}\n" + body);
    const CliResult r =
        run_ipcgrade({"grade", dir_.path().string(), (dir_.path() / "student").string(), "--json"});
    EXPECT_EQ(r.code, expected_code) << r.err << r.out;
    try {
      return json::parse(r.out);
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what() << "\n" << r.out << r.err;
      return json::object();
    }
  }

  // `ipcgrade run ARGS...` from inside `dir`, as a student runs it from their folder.
  static CliResult run_in(const fs::path& dir, const std::vector<std::string>& args) {
    std::vector<std::string> all{"run"};
    all.insert(all.end(), args.begin(), args.end());
    return run_ipcgrade(all, {"/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", dir.string(), IPCGRADE_BINARY});
  }

  static bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  }

  TempDir dir_;
};

}  // namespace

// The creator is the process whose call made the object, not the last one to pass IPC_CREAT.
TEST_F(RealCode, TheFirstToCreateIsTheCreatorAndTheOthersOpenedIt) {
  submission({{"sender", kSender}, {"receiver", kReceiver}}, false);
  const json r = grade(R"(scenarios:
  - name: one after the other
    processes:
      - name: sender
        run: ./sender {key}
        ready: exit
      - name: receiver
        run: ./receiver {key}
checks:
  - {name: the segment is removed, type: no-leftovers, points: 10}
)",
                       1);
  const json& left = r["scenarios"][0]["leftovers"];
  ASSERT_EQ(left.size(), 1u) << r.dump(2);
  const std::regex sender(R"(sender \(pid \d+\))"), receiver(R"(receiver \(pid \d+\))");
  EXPECT_TRUE(std::regex_match(left[0]["creator"].get<std::string>(), sender)) << left[0];
  EXPECT_EQ(left[0]["at"], "sender.c:7");
  ASSERT_EQ(left[0]["opened_by"].size(), 1u) << left[0];
  EXPECT_TRUE(std::regex_match(left[0]["opened_by"][0].get<std::string>(), receiver)) << left[0];
  const json& check = r["checks"][0];
  EXPECT_EQ(check["status"], "failed");
  EXPECT_EQ(check["score"], 0);
  EXPECT_EQ(check["evidence"][0]["process"], "sender");
  EXPECT_EQ(check["evidence"][0]["at"], "sender.c:7");
  EXPECT_TRUE(std::regex_search(
      check["evidence"][0]["detail"].get<std::string>(),
      std::regex(
          R"(was left behind and has been removed by the grader; also opened by receiver \(pid \d+\)$)")))
      << check["evidence"][0];

  // `run` says the same.
  const fs::path built = submission({{"sender", kSender}, {"receiver", kReceiver}}, true);
  const CliResult run = run_in(built, {"--", "sh", "-c", "./sender 0x4242 && ./receiver 0x4242"});
  EXPECT_EQ(run.code, 1) << run.err;
  EXPECT_TRUE(std::regex_search(
      run.err,
      std::regex(
          R"(created by sender \(pid \d+\): shmget\(0x00004242, 4096, IPC_CREAT\|0666\) = \d+ at sender\.c:7\n)")))
      << run.err;
  EXPECT_TRUE(std::regex_search(run.err, std::regex(R"(also opened by receiver \(pid \d+\)\n)"))) << run.err;
}

// A child that inherits an attachment through fork and exits without shmdt is named, in grade (the
// sample variant) and in run.
TEST_F(RealCode, AChildThatInheritsAnAttachmentMustDetachIt) {
  const CliResult graded =
      run_ipcgrade({"grade", sample("shm-exchange").string(),
                    sample("shm-exchange/variants/child-never-detaches").string(), "--json"});
  EXPECT_EQ(graded.code, 1) << graded.err;
  const json r = json::parse(graded.out);
  EXPECT_EQ(r["score"], 96);
  const json* shm = nullptr;
  for (const auto& c : r["checks"]) {
    if (c["name"] == "attach, detach and remove")
      shm = &c;
    else
      EXPECT_EQ(c["status"], "passed") << c;
  }
  ASSERT_NE(shm, nullptr);
  EXPECT_EQ((*shm)["status"], "failed");
  EXPECT_EQ((*shm)["score"], 6);             // only the detach share (4 of 10) is lost
  ASSERT_EQ((*shm)["evidence"].size(), 1u);  // the child's, one line in both scenarios
  const json& e = (*shm)["evidence"][0];
  EXPECT_EQ(e["repeats"]["scenarios"], 2);
  EXPECT_EQ(e["process"], "writer");
  EXPECT_EQ(e["at"], "writer.c:27");
  EXPECT_TRUE(std::regex_match(
      e["detail"].get<std::string>(),
      std::regex(
          R"((0x[0-9a-f]+) was inherited from writer \(pid \d+\) through fork and never detached: the child exited while attached; call shmdt\(\1\) in the child too before it ends \(× 2 scenarios\))")))
      << e;

  // `run` on the same program.
  const fs::path dir = dir_.path() / "variant";
  fs::copy(sample("shm-exchange/variants/child-never-detaches"), dir);
  ASSERT_EQ(std::system(("make -s -C " + dir.string() + " > /dev/null").c_str()), 0);
  const CliResult run = run_in(dir, {"--", "./writer", "0x4343", "hello"});
  EXPECT_EQ(run.code, 1) << run.err;  // the segment is left behind: the reader would remove it
  EXPECT_TRUE(contains(run.err, "through fork and never detached: the child exited while attached"))
      << run.err;
  EXPECT_TRUE(contains(run.err, " at writer.c:27 in writer (pid ")) << run.err;
}

// Killed while attached (by the deadlock stop in grade, at --timeout in run): not told to call shmdt, told
// it was killed.
TEST_F(RealCode, AProcessKilledWhileAttachedIsNotToldToDetach) {
  submission({{"waiter", kAttachAndWait}}, false);
  const json r =
      grade(R"(limits: {wall: 500ms}
scenarios:
  - name: waits
    processes:
      - {name: waiter, run: ./waiter}
checks:
  - {name: "attach, detach and remove", type: shm-usage, points: 10}
)",
            0);  // stopped by the deadlock stop (it pauses with nothing to wake it): not this check's concern
  const json& shm = r["checks"][0];
  EXPECT_EQ(shm["status"], "passed") << shm;
  EXPECT_EQ(shm["score"], 10);
  EXPECT_TRUE(shm["evidence"].empty());
  EXPECT_TRUE(std::regex_search(
      shm["feedback"].get<std::string>(),
      std::regex(
          R"( Waiter \(pid \d+\) was killed while attached to 0x[0-9a-f]+: detaching is judged only for a process that ends by itself\.$)")))
      << shm;

  const fs::path built = submission({{"waiter", kAttachAndWait}}, true);
  const CliResult run = run_in(built, {"--timeout", "500ms", "--", "./waiter"});
  EXPECT_TRUE(std::regex_search(
      run.err,
      std::regex(
          R"(note: waiter \(pid \d+\) was killed while attached to 0x[0-9a-f]+: detaching is judged only)")))
      << run.err;
  EXPECT_FALSE(contains(run.err, "never detached")) << run.err;
}

// A server started in the background outlives the shell: run says it was still running and was killed,
// and its queue is left behind with the server as its creator.
TEST_F(RealCode, AServerThatOutlivesTheShellIsNamed) {
  const fs::path built = submission({{"server", kServer}, {"client", kClient}}, true);
  const CliResult run = run_in(built, {"--", "sh", "-c", "./server 0x4444 & ./client 0x4444"});
  EXPECT_EQ(run.code, 1) << run.err;
  EXPECT_TRUE(std::regex_search(
      run.err, std::regex(R"(server \(pid \d+\) was still running when the scenario ended and was killed)")))
      << run.err;
  EXPECT_TRUE(std::regex_search(run.err, std::regex(R"(created by server \(pid \d+\): msgget\(0x00004444)")))
      << run.err;
}

// A fixed-size buffer ends in NULs: the evidence shows the first bytes, then the length.
TEST_F(RealCode, APipeWriteShowsItsFirstBytes) {
  const fs::path built = submission({{"buffer", kFixedBuffer}}, true);
  const CliResult run = run_in(built, {"--", "./buffer"});
  EXPECT_TRUE(
      contains(run.err, R"(write(4, "hi\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"..., 50) at buffer.c:9)"))
      << run.err;
}

// A shell in `wait` waits for its children, not for a signal; the reader's explanation is its own pipe.
TEST_F(RealCode, AShellInWaitWaitsForItsChildren) {
  const fs::path built = submission({{"selfread", kSelfReader}}, true);
  const CliResult run = run_in(built, {"--", "sh", "-c", "./selfread & wait"});
  EXPECT_TRUE(contains(run.err, "deadlock")) << run.err;
  EXPECT_TRUE(std::regex_search(
      run.err, std::regex(R"(sh \(pid \d+\) (waits for its children|waits in waitpid for a child))")))
      << run.err;
  EXPECT_FALSE(contains(run.err, "waits for a signal")) << run.err;
  // The reader was forked by the shell, but the shell made no pipe: closing its own write end is the fix.
  EXPECT_TRUE(std::regex_search(
      run.err,
      std::regex(
          R"(deadlock \(selfread \(pid \d+\) is blocked in read on the pipe created at selfread\.c:5 \(fd 3\); its write end is still open in selfread itself \(fd 4\) — close it before reading;)")))
      << run.err;
  EXPECT_FALSE(contains(run.err, "created after the fork")) << run.err;
}

// fork before pipe: each process has a pipe of its own; the explanation says so instead of "close it".
TEST_F(RealCode, APipeMadeAfterTheForkIsExplainedAsSuch) {
  const CliResult graded = run_ipcgrade({"grade", sample("pipe-shout").string(),
                                         sample("pipe-shout/variants/pipe-after-fork").string(), "--json"});
  EXPECT_EQ(graded.code, 1) << graded.err;
  const json r = json::parse(graded.out);
  for (const auto& s : r["scenarios"]) {
    EXPECT_EQ(s["outcome"], "deadlock") << s;
    const std::string why = s["outcome_detail"];
    EXPECT_TRUE(std::regex_search(
        why,
        std::regex(
            R"(^shout \(pid \d+\) is blocked in read on the pipe created at shout\.c:54 \(fd 3\); only shout itself holds its write end, because the pipe was created after the fork: each process made a pipe of its own — call pipe\(\) before fork\(\) so that both share one; shout \(pid \d+\) waits in waitpid for a child\.$)")))
        << why;
    EXPECT_FALSE(contains(why, "close it before reading")) << why;
  }
}
