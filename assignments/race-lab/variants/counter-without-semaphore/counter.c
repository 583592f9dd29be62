/* counter KEY N: a parent and its child each add 1 to a counter in shared memory N times; the parent
   prints the total. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: counter KEY N\n");
    return 2;
  }
  key_t key = (key_t)strtol(argv[1], NULL, 0);
  long n = atol(argv[2]);
  int shm = shmget(key, sizeof(long), IPC_CREAT | IPC_EXCL | 0600);
  if (shm < 0) {
    perror("shmget");
    return 1;
  }
  volatile long *count = shmat(shm, NULL, 0);
  *count = 0;
  pid_t child = fork();
  /* Adding 1 is a single statement, so the two processes cannot get in each other's way. */
  for (long i = 0; i < n; i++) *count = *count + 1;
  if (child == 0) {
    shmdt((void *)count);
    return 0;
  }
  waitpid(child, NULL, 0);
  printf("total %ld\n", *count);
  shmdt((void *)count);
  shmctl(shm, IPC_RMID, NULL);
  return 0;
}
