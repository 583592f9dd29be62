/* fork, dup2 the pipe's write end onto stdout, exec a shell pipeline; the parent reads to EOF.
 * Every end is closed where it should be: no pipe-closure failure may be reported. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
  int p[2];
  if (pipe(p) < 0) return 1;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(p[1], 1);
    close(p[0]);
    close(p[1]);
    execlp("sh", "sh", "-c", "echo one | tr a-z A-Z; echo two", (char*)NULL);
    _exit(127);
  }
  close(p[1]);
  char buf[256];
  ssize_t n, total = 0;
  while ((n = read(p[0], buf, sizeof buf)) > 0) total += n;
  close(p[0]);
  waitpid(pid, NULL, 0);
  printf("read %zd bytes\n", total);
  return 0;
}
