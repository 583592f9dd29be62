/* Writer: ./writer KEY TEXT
 * Creates a segment with the assigned key and attaches it, then lets a child process copy TEXT into
 * it. The bug: the child inherits the attachment through fork and exits without shmdt. The parent
 * detaches its own attachment, so the parent looks right; the child's is the one left open until
 * exit detaches it implicitly. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

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
  pid_t pid = fork();
  if (pid < 0) {
    perror("fork");
    return 1;
  }
  if (pid == 0) {
    strncpy(ex->text, argv[2], sizeof ex->text - 1);
    ex->length = (int)strlen(ex->text);
    printf("wrote %d bytes\n", ex->length);
    exit(0); /* the bug: no shmdt(ex) in the child */
  }
  int status;
  if (waitpid(pid, &status, 0) < 0) {
    perror("waitpid");
    return 1;
  }
  if (shmdt(ex) < 0) {
    perror("shmdt");
    return 1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
