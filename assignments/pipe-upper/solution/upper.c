/* upper: `echo 'hello pipe' | ./upper` prints HELLO PIPE.
 * The parent reads its input and hands it to a child through a pipe; the child upper-cases and prints
 * it. The parent waits for the child before it exits. */
#include <ctype.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static int child(int in) {
  char text[4096];
  ssize_t n;
  while ((n = read(in, text, sizeof text)) > 0) {
    for (ssize_t i = 0; i < n; i++) putchar(toupper((unsigned char)text[i]));
  }
  return n < 0 ? 1 : 0;
}

int main(void) {
  int fds[2];
  if (pipe(fds) < 0) {
    perror("pipe");
    return 1;
  }
  pid_t pid = fork();
  if (pid < 0) {
    perror("fork");
    return 1;
  }
  if (pid == 0) {
    close(fds[1]); /* the child only reads */
    int rc = child(fds[0]);
    close(fds[0]);
    return rc;
  }
  close(fds[0]); /* the parent only writes */
  char line[4096];
  ssize_t n;
  while ((n = read(0, line, sizeof line)) > 0) {
    if (write(fds[1], line, (size_t)n) != n) {
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
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
