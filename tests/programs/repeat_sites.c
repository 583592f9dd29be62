/* The same calls from two places, many times over: each place once, with a pause after each (the
 * grader reads those first calls meanwhile), then rounds of a hundred at each place.
 *
 * `repeat_sites sem`: at each place a semaphore is given and taken. Four other calls between the
 * places leave the tracer no recent event to count a call on, so each place's first call of a round is
 * an event of its own, placed where it was made.
 * `repeat_sites msg`: a message sent and received once, a pause, then 3,000 times more (each receive's
 * exit is recorded). */
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <unistd.h>

struct message {
  long mtype;
  char text[8];
};

static int set, queue;
static struct sembuf give = {0, 1, 0}, take = {0, -1, 0};
static struct message m = {.mtype = 1, .text = "again"};

static void four_others(void) {
  static struct sembuf others[4] = {{1, 1, 0}, {1, 2, 0}, {1, -2, 0}, {1, -1, 0}};
  for (int i = 0; i < 4; i++) semop(set, &others[i], 1);
}

int main(int argc, char** argv) {
  const int messages = argc > 1 && strcmp(argv[1], "msg") == 0;
  if (messages ? (queue = msgget(IPC_PRIVATE, IPC_CREAT | 0600)) < 0
               : (set = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600)) < 0)
    return 1;
  if (messages) {
    for (int i = 0; i <= 3000; i++) {
      msgsnd(queue, &m, sizeof m.text, 0);
      msgrcv(queue, &m, sizeof m.text, 1, 0);
      if (i == 0) usleep(100000);
    }
    return msgctl(queue, IPC_RMID, NULL);
  }
  for (int round = 0; round <= 20; round++) {
    for (int i = 0; i < (round == 0 ? 1 : 100); i++) {
      semop(set, &give, 1);
      semop(set, &take, 1);
    }
    four_others();
    if (round == 0) usleep(100000);
    for (int i = 0; i < (round == 0 ? 1 : 100); i++) {
      semop(set, &give, 1);
      semop(set, &take, 1);
    }
    four_others();
    if (round == 0) usleep(100000);
  }
  return semctl(set, 0, IPC_RMID);
}
