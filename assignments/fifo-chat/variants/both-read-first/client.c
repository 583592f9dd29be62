/* client UP DOWN: sends each line of its standard input to the server on UP, and prints the server's
   reply, read from DOWN. */
#include <fcntl.h>

#include "chat.h"

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: client UP DOWN\n");
    return 2;
  }

  /* Open the replies first, then the requests. */
  int in = open(argv[2], O_RDONLY);
  if (in < 0) {
    perror("open");
    return 1;
  }
  int out = open(argv[1], O_WRONLY);
  if (out < 0) {
    perror("open");
    return 1;
  }

  struct reader r = {.fd = in};
  char reply[LINE_SIZE];
  char *line = NULL;
  size_t cap = 0;
  while (getline(&line, &cap, stdin) > 0) {
    size_t len = strcspn(line, "\n");
    if (len > LINE_SIZE - 1) len = LINE_SIZE - 1; /* a line is at most LINE_SIZE bytes */
    line[len] = '\n';
    /* The whole line with one write(), so that the server reads it in one piece. */
    if (write(out, line, len + 1) != (ssize_t)(len + 1)) {
      perror("write");
      return 1;
    }
    if (read_line(&r, reply) < 0) {
      fprintf(stderr, "client: the server closed %s\n", argv[2]);
      return 1;
    }
    printf("reply: %s\n", reply);
  }
  free(line);
  /* Closing UP is what tells the server that we are done: its read() returns 0. */
  close(out);
  close(in);
  return 0;
}
