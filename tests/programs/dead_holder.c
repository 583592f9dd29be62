/* Three workers share a semaphore used as a lock, without SEM_UNDO. The first takes it and is killed
 * before it gives it back; the others wait for ever, and so does the parent that waits for them. */
#include <signal.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/wait.h>
#include <unistd.h>

union semun {
  int val;
};

static void P(int id) {
  struct sembuf op = {0, -1, 0};
  semop(id, &op, 1); /* the lock: taken here */
}

int main(void) {
  int id = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
  union semun one = {.val = 1};
  semctl(id, 0, SETVAL, one);
  for (int i = 0; i < 3; i++) {
    if (fork() == 0) {
      if (i == 0) {
        P(id);
        kill(getpid(), SIGKILL); /* dies holding the lock */
      }
      usleep(50000);
      P(id);
      _exit(0);
    }
  }
  while (wait(NULL) > 0) {
  }
  semctl(id, 0, IPC_RMID);
  return 0;
}
