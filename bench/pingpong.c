/* The tracing benchmark's IPC load: a parent and a child bounce one message back and forth over a
 * System V queue, ROUNDS times (default 20,000): 2 x ROUNDS msgsnd and 2 x ROUNDS msgrcv. */
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/wait.h>
#include <unistd.h>

struct msg {
  long mtype;
  int round;
};
#define PAYLOAD (sizeof(struct msg) - sizeof(long))

int main(int argc, char** argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 20000;
  int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
  if (q < 0) return 1;
  pid_t pid = fork();
  if (pid == 0) {
    struct msg m;
    for (int i = 0; i < rounds; i++) {
      if (msgrcv(q, &m, PAYLOAD, 1, 0) < 0) _exit(1);
      m.mtype = 2;
      if (msgsnd(q, &m, PAYLOAD, 0) < 0) _exit(1);
    }
    _exit(0);
  }
  struct msg m = {.mtype = 1};
  for (int i = 0; i < rounds; i++) {
    m.mtype = 1;
    m.round = i;
    if (msgsnd(q, &m, PAYLOAD, 0) < 0) return 1;
    if (msgrcv(q, &m, PAYLOAD, 2, 0) < 0) return 1;
  }
  int status;
  waitpid(pid, &status, 0);
  msgctl(q, IPC_RMID, NULL);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
