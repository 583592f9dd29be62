/* Reader: ./reader KEY
 * Attaches the writer's segment, prints its text, detaches and removes the segment. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "exchange.h"

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s KEY\n", argv[0]);
    return 2;
  }
  key_t key = (key_t)strtol(argv[1], NULL, 0);
  int shmid = shmget(key, 0, 0);
  if (shmid < 0) {
    perror("shmget");
    return 1;
  }
  struct exchange *ex = shmat(shmid, NULL, SHM_RDONLY);
  if (ex == (void *)-1) {
    perror("shmat");
    return 1;
  }
  printf("%.*s\n", ex->length, ex->text);
  fflush(stdout);
  if (shmdt(ex) < 0) {
    perror("shmdt");
    return 1;
  }
  if (shmctl(shmid, IPC_RMID, NULL) < 0) {
    perror("shmctl");
    return 1;
  }
  return 0;
}
