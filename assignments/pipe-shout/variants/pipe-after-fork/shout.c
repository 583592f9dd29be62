/* shout: ./shout N
 * The parent sends N messages to its child through a pipe; each message is a line of text followed by
 * a NUL ("message 0\n\0"). The child upper-cases and prints every message, then reports how many it
 * received; the parent waits for it and reports how many it sent.
 * This variant creates the pipe after the fork. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int child(int in) {
  char pending[4096];
  size_t used = 0;
  int received = 0;
  for (;;) {
    ssize_t n = read(in, pending + used, sizeof pending - used);
    if (n < 0) {
      perror("read");
      return 1;
    }
    if (n == 0) break; /* every write end is closed: no more messages */
    used += (size_t)n;
    /* Hand out every complete message (up to its NUL). */
    char *start = pending, *nul;
    while ((nul = memchr(start, '\0', used - (size_t)(start - pending))) != NULL) {
      for (char *c = start; c < nul; c++) putchar(toupper((unsigned char)*c));
      received++;
      start = nul + 1;
    }
    used -= (size_t)(start - pending);
    memmove(pending, start, used);
  }
  if (used > 0) { /* a last message without its NUL */
    for (size_t i = 0; i < used; i++) putchar(toupper((unsigned char)pending[i]));
    received++;
  }
  printf("received %d messages\n", received);
  return 0;
}

int main(int argc, char **argv) {
  int count = argc > 1 ? atoi(argv[1]) : 3;
  /* The bug: fork() comes before pipe(), so parent and child each make a pipe of their own. The
   * parent's messages go into its own pipe, and the child waits on a pipe only it could write to.
   * Closing ends would not help: pipe() must come before fork() for both to share one. */
  pid_t pid = fork();
  if (pid < 0) {
    perror("fork");
    return 1;
  }
  int fds[2];
  if (pipe(fds) < 0) {
    perror("pipe");
    return 1;
  }
  if (pid == 0) {
    int rc = child(fds[0]);
    close(fds[0]);
    close(fds[1]);
    return rc;
  }
  for (int i = 0; i < count; i++) {
    char message[64];
    int len = snprintf(message, sizeof message, "message %d\n", i);
    if (write(fds[1], message, (size_t)len + 1) != len + 1) { /* + 1: the NUL */
      perror("write");
      return 1;
    }
  }
  close(fds[1]);
  int status;
  if (waitpid(pid, &status, 0) < 0) {
    perror("waitpid");
    return 1;
  }
  close(fds[0]);
  printf("sent %d messages\n", count);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
