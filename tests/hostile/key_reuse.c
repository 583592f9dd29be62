/* Makes a queue with a key, removes it, waits while another program (the test, as a classmate would)
 * takes the key, and asks for the key again with IPC_CREAT: a key the run gave back is not its own any
 * more, so the get must not open the other program's queue (which the audit would then take for the
 * run's and remove).
 * Usage: key_reuse KEY */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  key_t k = (key_t)strtol(argv[1], 0, 0);
  int id = msgget(k, IPC_CREAT | 0600);
  printf("made %d\n", id >= 0);
  usleep(300000); /* long enough for the other program to see it */
  printf("removed %d\n", msgctl(id, IPC_RMID, 0) == 0);
  fflush(stdout);
  sleep(1); /* the other program takes the key meanwhile */
  int again = msgget(k, IPC_CREAT | 0666);
  printf("again: %s\n", again < 0 ? strerror(errno) : "opened");
  return 0;
}
