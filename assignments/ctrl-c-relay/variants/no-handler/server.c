/* Relay server: ./server KEY
 * Answers requests for ever, and trusts Ctrl-C to end it: no handler, so the queue is never removed. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <unistd.h>

#include "relay.h"

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s KEY\n", argv[0]);
    return 2;
  }
  key_t key = (key_t)strtol(argv[1], NULL, 0);
  int qid = msgget(key, IPC_CREAT | IPC_EXCL | 0600);
  if (qid < 0) {
    perror("msgget");
    return 1;
  }
  printf("ready\n");
  fflush(stdout);
  for (;;) {
    struct request req;
    if (msgrcv(qid, &req, REQUEST_SIZE, REQUEST_TYPE, 0) < 0) {
      perror("msgrcv");
      return 1;
    }
    struct reply rep = {.mtype = req.pid};
    for (int i = 0; i < WORD_MAX && req.word[i]; i++) rep.word[i] = (char)toupper((unsigned char)req.word[i]);
    if (msgsnd(qid, &rep, REPLY_SIZE, 0) < 0) {
      perror("msgsnd");
      return 1;
    }
  }
}
