/* Sends and receives on a private queue until it is killed: as many observed calls as a CPU allows.
 * First it makes a FIFO it never removes: a second attempt in the same folder would find it. */
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/stat.h>

struct msg {
  long mtype;
  char text[8];
};

int main(void) {
  puts(mkfifo("marker", 0600) == 0 ? "a folder of its own" : "an earlier attempt's FIFO is here");
  fflush(stdout);
  int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
  if (q < 0) return 1;
  struct msg m = {.mtype = 1, .text = "again"};
  for (;;) {
    if (msgsnd(q, &m, sizeof m.text, 0) < 0) return 1;
    if (msgrcv(q, &m, sizeof m.text, 1, 0) < 0) return 1;
  }
}
