/* The queue's sizes and the status page shared by the relay server and its client. */
#ifndef RELAY_H
#define RELAY_H

#define MAX_MESSAGES 10  /* messages the queue holds before mq_send waits */
#define MESSAGE_SIZE 128 /* the longest message, its NUL included */

/* The status page: the server keeps it up to date for anyone who maps it. */
struct status {
  int relayed;             /* messages relayed so far */
  char last[MESSAGE_SIZE]; /* the last one, NUL-terminated */
};

#endif
