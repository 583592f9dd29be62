/* `echo 'hello pipe' | ./orphan_upper`: the parent hands its input to a child through a pipe and exits
 * at once, without waiting; the child upper-cases and prints it 20 ms later, as a terminal shows. */
#include <ctype.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
  int fds[2];
  if (pipe(fds) < 0) return 1;
  if (fork() == 0) {
    close(fds[1]);
    char text[256];
    ssize_t n = read(fds[0], text, sizeof text);
    usleep(20000);
    for (ssize_t i = 0; i < n; i++) putchar(toupper((unsigned char)text[i]));
    return 0;
  }
  close(fds[0]);
  char line[256];
  ssize_t n = read(0, line, sizeof line);
  if (n > 0) write(fds[1], line, (size_t)n);
  close(fds[1]);
  return 0; /* no wait(): the child is still running */
}
