/* consumer KEY COUNT: takes COUNT items out of the ring, prints their sum, and removes the set and the
   ring (it is the last to use them). */
#include "buffer.h"

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: consumer KEY COUNT\n");
    return 2;
  }
  key_t key = (key_t)strtol(argv[1], NULL, 0);
  int count = atoi(argv[2]);

  int sem = semget(key, 3, 0);
  int shm = shmget(key, sizeof(struct ring), 0);
  if (sem < 0 || shm < 0) {
    perror("semget/shmget");
    return 1;
  }
  struct ring *ring = shmat(shm, NULL, 0);
  if (ring == (void *)-1) {
    perror("shmat");
    return 1;
  }

  long sum = 0;
  for (int i = 1; i <= count; i++) {
    take(sem, MUTEX, SEM_UNDO);
    take(sem, FULL, 0);
    sum += ring->items[ring->out];
    ring->out = (ring->out + 1) % SLOTS;
    give(sem, MUTEX, SEM_UNDO);
    give(sem, EMPTY, 0);
  }
  printf("consumed %d, sum %ld\n", count, sum);

  shmdt(ring);
  shmctl(shm, IPC_RMID, NULL);
  semctl(sem, 0, IPC_RMID);
  return 0;
}
