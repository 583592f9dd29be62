/* server UP DOWN: makes the two FIFOs, answers every line the client sends on UP with the same line in
   upper case on DOWN, and removes the FIFOs once the client has gone. */
#include <ctype.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "chat.h"

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: server UP DOWN\n");
    return 2;
  }
  const char *up = argv[1];   /* client -> server */
  const char *down = argv[2]; /* server -> client */

  if (mkfifo(up, 0600) < 0) {
    perror("mkfifo");
    return 1;
  }
  if (mkfifo(down, 0600) < 0) {
    perror("mkfifo");
    unlink(up);
    return 1;
  }
  printf("ready\n");
  fflush(stdout);

  /* Opening one end of a FIFO waits until the other end is opened too. The client opens UP first as
     well, so both meet on UP, then on DOWN. */
  int in = open(up, O_RDONLY);
  if (in < 0) {
    perror("open");
    return 1;
  }
  int out = open(down, O_WRONLY);
  if (out < 0) {
    perror("open");
    return 1;
  }

  struct reader r = {.fd = in};
  char line[LINE_SIZE];
  int lines = 0;
  int len;
  while ((len = read_line(&r, line)) >= 0) {
    for (int i = 0; i < len; i++) line[i] = (char)toupper((unsigned char)line[i]);
    line[len] = '\n';
    /* The whole reply with one write(), so that it reaches the client in one piece. */
    if (write(out, line, (size_t)len + 1) != len + 1) {
      perror("write");
      return 1;
    }
    lines++;
  }
  /* End-of-file on UP: the client has closed it. */
  close(in);
  close(out);
  /* A FIFO is a name in the file system: it stays there until it is unlinked. */
  if (unlink(up) < 0 || unlink(down) < 0) {
    perror("unlink");
    return 1;
  }
  printf("served %d lines\n", lines);
  return 0;
}
