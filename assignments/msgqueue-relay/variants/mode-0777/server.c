/* Relay server: ./server KEY N
 * Creates the queue, posts a status notice (type 3), answers N requests with the word in upper case (reply type = the client's pid),
 * waits until all N clients confirm they got their reply, then removes the queue. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <unistd.h>

#include "relay.h"

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s KEY CLIENTS\n", argv[0]);
    return 2;
  }
  key_t key = (key_t)strtol(argv[1], NULL, 0);
  int clients = atoi(argv[2]);

  int qid = msgget(key, IPC_CREAT | IPC_EXCL | 0777);
  if (qid < 0) {
    perror("msgget");
    return 1;
  }
  /* A notice for whoever looks: the queue is never empty, so only a receiver that filters by type
   * gets the message meant for it. */
  struct request notice = {.mtype = STATUS_TYPE, .pid = getpid()};
  strcpy(notice.word, "relay ready");
  if (msgsnd(qid, &notice, REQUEST_SIZE, 0) < 0) {
    perror("msgsnd");
    return 1;
  }
  printf("ready\n");
  fflush(stdout);
  for (int served = 0; served < clients; served++) {
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
  for (int done = 0; done < clients; done++) {
    struct request ack;
    if (msgrcv(qid, &ack, REQUEST_SIZE, DONE_TYPE, 0) < 0) {
      perror("msgrcv");
      return 1;
    }
  }
  if (msgctl(qid, IPC_RMID, NULL) < 0) {
    perror("msgctl");
    return 1;
  }
  printf("served %d clients\n", clients);
  return 0;
}
