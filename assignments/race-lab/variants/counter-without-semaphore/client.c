/* client KEY WORD: sends WORD to the server's queue. The server may not have made the queue yet when
   the client starts: it tries again for up to two seconds. */
#include <errno.h>
#include <unistd.h>

#include "lab.h"

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: client KEY WORD\n");
    return 2;
  }
  key_t key = (key_t)strtol(argv[1], NULL, 0);
  int q = -1;
  for (int tries = 0; tries < 2000 && (q = msgget(key, 0)) < 0 && errno == ENOENT; tries++) usleep(1000);
  if (q < 0) {
    perror("msgget");
    return 1;
  }
  struct note n = {.mtype = 1};
  snprintf(n.text, sizeof n.text, "%s", argv[2]);
  if (msgsnd(q, &n, sizeof n.text, 0) < 0) {
    perror("msgsnd");
    return 1;
  }
  printf("sent\n");
  return 0;
}
