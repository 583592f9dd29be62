/* producer KEY COUNT: makes the semaphore set and the ring, then puts 1..COUNT into the ring. */
#include <unistd.h>

#include "buffer.h"

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: producer KEY COUNT\n");
    return 2;
  }
  key_t key = (key_t)strtol(argv[1], NULL, 0);
  int count = atoi(argv[2]);

  int sem = semget(key, 3, IPC_CREAT | IPC_EXCL | 0600);
  if (sem < 0) {
    perror("semget");
    return 1;
  }
  /* The lock is free, every slot is empty, none is full. */
  unsigned short start[3] = {1, SLOTS, 0};
  union semun arg = {.array = start};
  if (semctl(sem, 0, SETALL, arg) < 0) {
    perror("semctl");
    return 1;
  }
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
    take(sem, EMPTY, 0);
    take(sem, MUTEX, SEM_UNDO); /* a lock: given back by the kernel if this process dies holding it */
    ring->items[ring->in] = i;
    ring->in = (ring->in + 1) % SLOTS;
    give(sem, MUTEX, SEM_UNDO);
    give(sem, FULL, 0);
  }
  shmdt(ring);
  printf("produced %d\n", count);
  return 0;
}
