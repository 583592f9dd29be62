/* A POSIX message queue with a receive buffer smaller than the queue's mq_msgsize (EMSGSIZE), left
   behind without mq_unlink. */
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <string.h>
int main(void) {
  struct mq_attr attr = {.mq_maxmsg = 4, .mq_msgsize = 64};
  mqd_t q = mq_open("/relay", O_CREAT | O_RDWR, 0600, &attr);
  mq_send(q, "hello", 5, 1);
  char small[32];
  if (mq_receive(q, small, sizeof small, NULL) < 0) perror("mq_receive");
  mq_close(q);
  return 0;
}
