/* The shared ring of the bounded buffer. This version has no semaphores: the producer and the consumer
   spin on the ring's counters instead. It usually prints the right sum on an idle machine, but nothing
   orders the two processes' writes to the ring, and the assignment asks for a semaphore set. */
#ifndef BUFFER_H
#define BUFFER_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#define SLOTS 4

struct ring {
  int items[SLOTS];
  volatile int in, out; /* how many items were ever put in, taken out */
};

#endif
