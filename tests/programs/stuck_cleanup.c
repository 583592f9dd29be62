/* A program that makes a semaphore set and removes it at its end, but never gets there: it waits on a
 * semaphore that nobody posts. The grader stops the deadlock; the missing removal is not the student's. */
#include <sys/ipc.h>
#include <sys/sem.h>

int main(void) {
  int id = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
  struct sembuf take = {0, -1, 0};
  semop(id, &take, 1); /* the value is 0: waits for ever */
  semctl(id, 0, IPC_RMID);
  return 0;
}
