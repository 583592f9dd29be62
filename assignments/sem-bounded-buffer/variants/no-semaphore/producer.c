/* producer KEY COUNT: makes the ring, then puts 1..COUNT into it, spinning while it is full. */
#include <sched.h>
#include <unistd.h>

#include "buffer.h"

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: producer KEY COUNT\n");
    return 2;
  }
  key_t key = (key_t)strtol(argv[1], NULL, 0);
  int count = atoi(argv[2]);

  int shm = shmget(key, sizeof(struct ring), IPC_CREAT | IPC_EXCL | 0600);
  if (shm < 0) {
    perror("shmget");
    return 1;
  }
  struct ring *ring = shmat(shm, NULL, 0);
  if (ring == (void *)-1) {
    perror("shmat");
    return 1;
  }
  printf("ready\n");
  fflush(stdout);

  for (int i = 1; i <= count; i++) {
    usleep(2000); /* making an item takes a while */
    while (ring->in - ring->out == SLOTS) sched_yield(); /* full: wait for the consumer */
    ring->items[ring->in % SLOTS] = i;
    ring->in++;
  }
  shmdt(ring);
  printf("produced %d\n", count);
  return 0;
}
