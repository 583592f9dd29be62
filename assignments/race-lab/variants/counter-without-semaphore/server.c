/* server KEY: makes the queue, prints the one note a client sends, removes the queue. */
#include "lab.h"

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: server KEY\n");
    return 2;
  }
  int q = msgget((key_t)strtol(argv[1], NULL, 0), IPC_CREAT | 0600);
  if (q < 0) {
    perror("msgget");
    return 1;
  }
  struct note n;
  if (msgrcv(q, &n, sizeof n.text, 1, 0) < 0) {
    perror("msgrcv");
    return 1;
  }
  printf("got: %s\n", n.text);
  msgctl(q, IPC_RMID, NULL);
  return 0;
}
