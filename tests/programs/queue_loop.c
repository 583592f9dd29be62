/* Sends and receives on a private queue until it is killed: as many observed calls as a CPU allows. */
#include <sys/ipc.h>
#include <sys/msg.h>

struct msg {
  long mtype;
  char text[8];
};

int main(void) {
  int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
  if (q < 0) return 1;
  struct msg m = {.mtype = 1, .text = "again"};
  for (;;) {
    if (msgsnd(q, &m, sizeof m.text, 0) < 0) return 1;
    if (msgrcv(q, &m, sizeof m.text, 1, 0) < 0) return 1;
  }
}
