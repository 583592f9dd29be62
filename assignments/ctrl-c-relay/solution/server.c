/* Relay server: ./server KEY
 * Creates the queue and answers requests until it is interrupted (Ctrl-C, SIGINT); then it removes the
 * queue, says how many clients it served, and exits with status 0. */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <unistd.h>

#include "relay.h"

static volatile sig_atomic_t stop = 0;

static void on_sigint(int sig) {
  (void)sig;
  stop = 1;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s KEY\n", argv[0]);
    return 2;
  }
  key_t key = (key_t)strtol(argv[1], NULL, 0);
  /* No SA_RESTART: a blocked msgrcv returns EINTR when Ctrl-C arrives. */
  struct sigaction sa = {.sa_handler = on_sigint};
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);

  int qid = msgget(key, IPC_CREAT | IPC_EXCL | 0600);
  if (qid < 0) {
    perror("msgget");
    return 1;
  }
  printf("ready\n");
  fflush(stdout);
  int served = 0;
  while (!stop) {
    struct request req;
    if (msgrcv(qid, &req, REQUEST_SIZE, REQUEST_TYPE, 0) < 0) {
      if (errno == EINTR) continue; /* Ctrl-C: the loop ends */
      perror("msgrcv");
      break;
    }
    struct reply rep = {.mtype = req.pid};
    for (int i = 0; i < WORD_MAX && req.word[i]; i++) rep.word[i] = (char)toupper((unsigned char)req.word[i]);
    if (msgsnd(qid, &rep, REPLY_SIZE, 0) < 0) {
      perror("msgsnd");
      break;
    }
    served++;
  }
  if (msgctl(qid, IPC_RMID, NULL) < 0) {
    perror("msgctl");
    return 1;
  }
  printf("served %d clients\n", served);
  return 0;
}
