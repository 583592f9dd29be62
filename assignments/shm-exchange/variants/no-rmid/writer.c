/* Writer: ./writer KEY TEXT
 * Creates a segment with the assigned key, copies TEXT into it, detaches and exits. The reader
 * (started after the writer exits) removes the segment. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "exchange.h"

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s KEY TEXT\n", argv[0]);
    return 2;
  }
  key_t key = (key_t)strtol(argv[1], NULL, 0);
  int shmid = shmget(key, SEGMENT_SIZE, IPC_CREAT | IPC_EXCL | 0600);
  if (shmid < 0) {
    perror("shmget");
    return 1;
  }
  struct exchange *ex = shmat(shmid, NULL, 0);
  if (ex == (void *)-1) {
    perror("shmat");
    return 1;
  }
  strncpy(ex->text, argv[2], sizeof ex->text - 1);
  ex->length = (int)strlen(ex->text);
  printf("wrote %d bytes\n", ex->length);
  if (shmdt(ex) < 0) {
    perror("shmdt");
    return 1;
  }
  return 0;
}
