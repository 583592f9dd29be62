/* The tracing benchmark's semaphore load: WORKERS processes (default 4) each take and give one
 * System V semaphore OPS/2 times (default 20,000 semop calls each), as a correct mutual-exclusion
 * solution does around its critical section. */
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char** argv) {
  int workers = argc > 1 ? atoi(argv[1]) : 4;
  int ops = argc > 2 ? atoi(argv[2]) : 20000;
  int set = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
  if (set < 0) return 1;
  if (semctl(set, 0, SETVAL, 1) < 0) return 1;
  for (int w = 0; w < workers; w++) {
    if (fork() == 0) {
      struct sembuf take = {0, -1, SEM_UNDO}, give = {0, 1, SEM_UNDO};
      for (int i = 0; i < ops / 2; i++) {
        if (semop(set, &take, 1) < 0 || semop(set, &give, 1) < 0) _exit(1);
      }
      _exit(0);
    }
  }
  int status, failed = 0;
  while (wait(&status) > 0) failed |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
  semctl(set, 0, IPC_RMID);
  return failed;
}
