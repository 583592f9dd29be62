/* Leaves a daemon behind that makes a private message queue every 10 ms for as long as it lives, so
 * that the end of the run always catches it between two queues (or in the middle of one). With the
 * argument `here`, the program itself makes them until the wall limit stops it. */
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <unistd.h>

static void make_queues(void) {
  for (;;) {
    msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    usleep(10000);
  }
}

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "here") == 0) make_queues();
  if (fork() == 0) {
    setsid();
    if (fork() != 0) _exit(0);
    make_queues();
  }
  usleep(100000);
  puts("left a daemon");
  return 0;
}
