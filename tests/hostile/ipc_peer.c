/* Reaches for another program's System V queue (a classmate's in a tracked batch, a host daemon's) by
 * its key and by its id, and tries to take it over and drain it; then uses a queue of its own. Prints
 * what each call got. Usage: ipc_peer KEY ID */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>

struct msg {
  long mtype;
  char text[32];
};

static void said(const char* what, long rc) {
  printf("%s: %s\n", what, rc < 0 ? strerror(errno) : "done");
}

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  const key_t key = (key_t)strtol(argv[1], NULL, 0);
  const int id = atoi(argv[2]);
  struct msg m = {1, "squat"};
  said("open", msgget(key, 0));
  int made = msgget(key, IPC_CREAT | 0666);
  said("open-or-create", made);
  said("send", msgsnd(id, &m, sizeof m.text, IPC_NOWAIT));
  said("drain", msgrcv(id, &m, sizeof m.text, 0, IPC_NOWAIT));
  int own = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
  said("own-send", own < 0 ? -1 : msgsnd(own, &m, sizeof m.text, 0));
  said("own-receive", own < 0 ? -1 : msgrcv(own, &m, sizeof m.text, 0, 0));
  if (own >= 0) msgctl(own, IPC_RMID, NULL);
  /* IPC_PRIVATE makes a new queue without IPC_CREAT too: it is the run's own. */
  int private_only = msgget(IPC_PRIVATE, 0600);
  said("private-send", private_only < 0 ? -1 : msgsnd(private_only, &m, sizeof m.text, 0));
  if (private_only >= 0) msgctl(private_only, IPC_RMID, NULL);
  if (made >= 0) msgctl(made, IPC_RMID, NULL);
  return 0;
}
