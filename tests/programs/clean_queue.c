/* A well-behaved program: creates a queue with its key, sends and receives one message, removes it. */
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/msg.h>

struct msg {
  long mtype;
  char text[8];
};

int main(int argc, char** argv) {
  key_t key = argc > 1 ? (key_t)strtol(argv[1], NULL, 0) : 0x7005;
  int q = msgget(key, IPC_CREAT | 0600);
  if (q < 0) return 1;
  struct msg m = {.mtype = 1, .text = "hello"};
  if (msgsnd(q, &m, sizeof m - sizeof(long), 0) < 0) return 1;
  if (msgrcv(q, &m, sizeof m - sizeof(long), 1, 0) < 0) return 1;
  return msgctl(q, IPC_RMID, NULL) < 0;
}
