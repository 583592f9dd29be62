/* client QUEUE STATUS COUNT: sends "message 1" .. "message COUNT" to the server's queue. STATUS is not
   used: it is there so that both programs take the same arguments. */
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay.h"

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: client QUEUE STATUS COUNT\n");
    return 2;
  }
  int count = atoi(argv[3]);

  mqd_t q = mq_open(argv[1], O_WRONLY);
  if (q == (mqd_t)-1) {
    perror("mq_open");
    return 1;
  }
  char text[MESSAGE_SIZE];
  for (int i = 1; i <= count; i++) {
    snprintf(text, sizeof text, "message %d", i);
    /* Send the NUL too, so that the server gets a string. When the queue is full, mq_send waits. */
    if (mq_send(q, text, strlen(text) + 1, 0) < 0) {
      perror("mq_send");
      return 1;
    }
  }
  mq_close(q);
  printf("sent %d\n", count);
  return 0;
}
