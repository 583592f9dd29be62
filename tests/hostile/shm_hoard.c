/* Hoards System V shared memory past the memory limit: ten 200 MiB segments, each attached, touched
 * and detached (a detached segment is counted by no process's RLIMIT_AS) and never removed. Prints how
 * many it got and how the first refusal failed. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

int main(void) {
  const size_t size = 200UL << 20;
  int made = 0;
  for (int i = 0; i < 10; ++i) {
    int id = shmget(IPC_PRIVATE, size, IPC_CREAT | 0600);
    if (id < 0) {
      printf("segment %d: %s\n", i, strerror(errno));
      break;
    }
    char* p = shmat(id, NULL, 0);
    if (p == (char*)-1) {
      printf("attach %d: %s\n", i, strerror(errno));
      break;
    }
    memset(p, 1, size);
    shmdt(p);
    ++made;
  }
  printf("made %d\n", made);
  return 0;
}
