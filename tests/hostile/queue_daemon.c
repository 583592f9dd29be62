/* Leaves a daemon behind that makes a private message queue every 10 ms for as long as it lives, so
 * that the end of the run always catches it between two queues (or in the middle of one). */
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <unistd.h>

int main(void) {
  if (fork() == 0) {
    setsid();
    if (fork() != 0) _exit(0);
    for (;;) {
      msgget(IPC_PRIVATE, IPC_CREAT | 0600);
      usleep(10000);
    }
  }
  usleep(100000);
  puts("left a daemon");
  return 0;
}
