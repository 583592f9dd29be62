/* The message formats shared by the relay server and its clients. */
#ifndef RELAY_H
#define RELAY_H

#include <sys/types.h>

#define REQUEST_TYPE 1 /* client -> server: a word to upper-case */
#define WORD_MAX 64

struct request {
  long mtype;          /* REQUEST_TYPE */
  pid_t pid;           /* the client's pid: the server replies with this type */
  char word[WORD_MAX]; /* NUL-terminated */
};

struct reply {
  long mtype; /* the pid of the client the reply is for */
  char word[WORD_MAX];
};

/* The payload is everything after the long mtype: that is what msgsnd and msgrcv count. */
#define REQUEST_SIZE (sizeof(struct request) - sizeof(long))
#define REPLY_SIZE (sizeof(struct reply) - sizeof(long))

#endif
