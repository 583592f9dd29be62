// Tries IPC_RMID on every id it can think of: ids 0..4095 directly, and every index of the kernel's
// tables through MSG_STAT_ANY / SHM_STAT_ANY / SEM_STAT_ANY. Prints how many removals succeeded.
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

#ifndef MSG_STAT_ANY
#define MSG_STAT_ANY 13
#define SEM_STAT_ANY 20
#define SHM_STAT_ANY 15
#endif

int main(void) {
  int removed = 0;
  for (int id = 0; id < 4096; ++id) {
    removed += msgctl(id, IPC_RMID, NULL) == 0;
    removed += shmctl(id, IPC_RMID, NULL) == 0;
    removed += semctl(id, 0, IPC_RMID) == 0;
  }
  for (int index = 0; index < 1024; ++index) {
    struct msqid_ds m;
    struct shmid_ds s;
    struct semid_ds e;
    int id = msgctl(index, MSG_STAT_ANY, &m);
    if (id >= 0) removed += msgctl(id, IPC_RMID, NULL) == 0;
    id = shmctl(index, SHM_STAT_ANY, &s);
    if (id >= 0) removed += shmctl(id, IPC_RMID, NULL) == 0;
    id = semctl(index, 0, SEM_STAT_ANY, &e);
    if (id >= 0) removed += semctl(id, 0, IPC_RMID) == 0;
  }
  printf("removed %d\n", removed);
  return 0;
}
