/* client KEY WORD: sends WORD to the server's queue. */
#include "lab.h"

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: client KEY WORD\n");
    return 2;
  }
  key_t key = (key_t)strtol(argv[1], NULL, 0);
  int q = msgget(key, 0); /* the server is started first, so its queue is there */
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
