// Makes three message queues, says so, and sleeps: a run to kill the grader in the middle of.
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <unistd.h>

int main(void) {
  for (int i = 0; i < 3; ++i) msgget(IPC_PRIVATE, IPC_CREAT | 0600);
  printf("made\n");
  fflush(stdout);
  for (;;) sleep(1);
}
