/* counter KEY N: a parent and its child each add 1 to a counter in shared memory N times, in batches
   of 1000 under a System V semaphore; the parent prints the total. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

union semun {
  int val;
};

static void change(int sem, int by) {
  struct sembuf op = {0, (short)by, SEM_UNDO};
  if (semop(sem, &op, 1) < 0) {
    perror("semop");
    exit(1);
  }
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: counter KEY N\n");
    return 2;
  }
  key_t key = (key_t)strtol(argv[1], NULL, 0);
  long n = atol(argv[2]);
  int shm = shmget(key, sizeof(long), IPC_CREAT | IPC_EXCL | 0600);
  int sem = semget(key, 1, IPC_CREAT | IPC_EXCL | 0600);
  if (shm < 0 || sem < 0) {
    perror("shmget/semget");
    return 1;
  }
  union semun one = {.val = 1};
  semctl(sem, 0, SETVAL, one);
  volatile long *count = shmat(shm, NULL, 0);
  *count = 0;
  pid_t child = fork();
  for (long done = 0; done < n; done += 1000) {
    change(sem, -1); /* the counter is shared: one process at a time */
    for (long i = done; i < n && i < done + 1000; i++) *count = *count + 1;
    change(sem, +1);
  }
  if (child == 0) {
    shmdt((void *)count);
    return 0;
  }
  waitpid(child, NULL, 0);
  printf("total %ld\n", *count);
  shmdt((void *)count);
  shmctl(shm, IPC_RMID, NULL);
  semctl(sem, 0, IPC_RMID);
  return 0;
}
