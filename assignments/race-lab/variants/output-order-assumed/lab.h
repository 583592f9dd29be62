/* The message the client sends the server over the queue of the assigned key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>

struct note {
  long mtype; /* always 1 */
  char text[32];
};
