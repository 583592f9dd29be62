/* Relay client: ./client KEY WORD
 * Sends WORD to the server and prints the upper-case reply (the message of type getpid()). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <unistd.h>

#include "relay.h"

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s KEY WORD\n", argv[0]);
    return 2;
  }
  key_t key = (key_t)strtol(argv[1], NULL, 0);
  int qid = msgget(key, 0);
  if (qid < 0) {
    perror("msgget");
    return 1;
  }
  struct request req = {.mtype = REQUEST_TYPE, .pid = getpid()};
  strncpy(req.word, argv[2], WORD_MAX - 1);
  if (msgsnd(qid, &req, REQUEST_SIZE, 0) < 0) {
    perror("msgsnd");
    return 1;
  }
  struct reply rep;
  if (msgrcv(qid, &rep, REPLY_SIZE, getpid(), 0) < 0) {
    perror("msgrcv");
    return 1;
  }
  printf("%s\n", rep.word);
  return 0;
}
