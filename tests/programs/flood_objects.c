/* Leaves objects by the thousand: `flood_objects Q F P` makes Q private message queues, F FIFOs in the
 * working folder and P POSIX shared-memory objects, and removes none. The audit of what a run left must
 * finish within its limits, and the report stay small, whatever the count. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char** argv) {
  int queues = argc > 1 ? atoi(argv[1]) : 0, fifos = argc > 2 ? atoi(argv[2]) : 0,
      shms = argc > 3 ? atoi(argv[3]) : 0;
  int made = 0;
  for (int i = 0; i < queues; ++i) made += msgget(IPC_PRIVATE, IPC_CREAT | 0600) >= 0;
  char name[64];
  for (int i = 0; i < fifos; ++i) {
    snprintf(name, sizeof name, "f%d", i);
    made += mkfifo(name, 0600) == 0;
  }
  for (int i = 0; i < shms; ++i) {
    snprintf(name, sizeof name, "/flood-%d", i);
    int fd = shm_open(name, O_CREAT | O_RDWR, 0600);
    if (fd >= 0) {
      ++made;
      close(fd);
    }
  }
  printf("made %d\n", made);
  return 0;
}
