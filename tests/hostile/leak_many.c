// Leaks 5,000 message queues and 500 shared memory segments.
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/shm.h>

int main(void) {
  int queues = 0, segments = 0;
  for (int i = 0; i < 5000; ++i) queues += msgget(IPC_PRIVATE, IPC_CREAT | 0600) >= 0;
  for (int i = 0; i < 500; ++i) segments += shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600) >= 0;
  printf("%d queues, %d segments\n", queues, segments);
  return 0;
}
