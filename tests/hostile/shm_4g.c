// Makes a 4 GiB shared memory segment and fills it with memset.
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

int main(void) {
  size_t size = 4ULL << 30;
  int id = shmget(IPC_PRIVATE, size, IPC_CREAT | 0600);
  if (id < 0) {
    perror("shmget");
    return 1;
  }
  char* p = shmat(id, NULL, 0);
  if (p == (char*)-1) {
    perror("shmat");
    return 1;
  }
  memset(p, 1, size);
  return 0;
}
