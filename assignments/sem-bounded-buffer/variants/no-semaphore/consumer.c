/* consumer KEY COUNT: takes COUNT items out of the ring, spinning while it is empty, prints their sum,
   and removes the ring. */
#include <sched.h>

#include "buffer.h"

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: consumer KEY COUNT\n");
    return 2;
  }
  key_t key = (key_t)strtol(argv[1], NULL, 0);
  int count = atoi(argv[2]);

  int shm = shmget(key, sizeof(struct ring), 0);
  if (shm < 0) {
    perror("shmget");
    return 1;
  }
  struct ring *ring = shmat(shm, NULL, 0);
  if (ring == (void *)-1) {
    perror("shmat");
    return 1;
  }

  long sum = 0;
  for (int i = 1; i <= count; i++) {
    while (ring->in == ring->out) sched_yield(); /* empty: wait for the producer */
    sum += ring->items[ring->out % SLOTS];
    ring->out++;
  }
  printf("consumed %d, sum %ld\n", count, sum);

  shmdt(ring);
  shmctl(shm, IPC_RMID, NULL);
  return 0;
}
