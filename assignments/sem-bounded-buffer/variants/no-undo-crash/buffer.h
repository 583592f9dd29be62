/* The shared ring of the bounded buffer and its three semaphores. */
#ifndef BUFFER_H
#define BUFFER_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>

#define SLOTS 4

/* The semaphores of the set, in this order. */
enum { MUTEX, EMPTY, FULL };

struct ring {
  int items[SLOTS];
  int in, out;
};

/* semctl's fourth argument: the caller defines it (see semctl(2)). */
union semun {
  int val;
  struct semid_ds *buf;
  unsigned short *array;
};

/* Takes one from semaphore `which`, waiting while it is 0. */
static void take(int sem, int which, short flags) {
  struct sembuf op = {(unsigned short)which, -1, flags};
  if (semop(sem, &op, 1) < 0) {
    perror("semop");
    exit(1);
  }
}

/* Gives one back to semaphore `which`. */
static void give(int sem, int which, short flags) {
  struct sembuf op = {(unsigned short)which, 1, flags};
  if (semop(sem, &op, 1) < 0) {
    perror("semop");
    exit(1);
  }
}

#endif
