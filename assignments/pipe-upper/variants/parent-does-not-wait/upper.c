/* upper: `echo 'hello pipe' | ./upper` prints HELLO PIPE.
 * The parent hands its input to a child through a pipe and exits at once, without waiting: at a
 * terminal the child still prints a moment later, but nothing waits for it. */
#include <ctype.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
  int fds[2];
  if (pipe(fds) < 0) {
    perror("pipe");
    return 1;
  }
  if (fork() == 0) {
    close(fds[1]);
    char text[4096];
    ssize_t n = read(fds[0], text, sizeof text);
    usleep(20000); /* the child takes its time */
    for (ssize_t i = 0; i < n; i++) putchar(toupper((unsigned char)text[i]));
    return 0;
  }
  close(fds[0]);
  char line[4096];
  ssize_t n = read(0, line, sizeof line);
  if (n > 0 && write(fds[1], line, (size_t)n) != n) perror("write");
  close(fds[1]);
  return 0; /* no wait(): the child is still running */
}
