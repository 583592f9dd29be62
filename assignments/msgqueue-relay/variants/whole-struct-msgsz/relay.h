/* The message formats shared by the relay server and its clients. */
#ifndef RELAY_H
#define RELAY_H

#include <sys/types.h>

#define REQUEST_TYPE 1 /* client -> server: a word to upper-case */
#define DONE_TYPE 2    /* client -> server: "I have my reply", so the server may remove the queue */
#define STATUS_TYPE 3  /* server -> anyone: the status notice the server posts when it starts */
#define WORD_MAX 64

struct request {
  long mtype;          /* REQUEST_TYPE or DONE_TYPE */
  pid_t pid;           /* the client's pid: the server replies with this type */
  char word[WORD_MAX]; /* NUL-terminated */
};

struct reply {
  long mtype; /* the pid of the client the reply is for */
  char word[WORD_MAX];
};

/* The size of a message. */
#define REQUEST_SIZE sizeof(struct request)
#define REPLY_SIZE sizeof(struct reply)

#endif
