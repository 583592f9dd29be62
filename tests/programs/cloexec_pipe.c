/* cloexec_pipe MODE [hang]: a parent sends three lines to a child that execs a reader (this program
 * again, as "reader FD"). The pipe's ends are close-on-exec, set one of three ways (MODE): pipe2
 * with O_CLOEXEC, fcntl(F_SETFD, FD_CLOEXEC), or dup3(O_CLOEXEC) / fcntl(F_DUPFD_CLOEXEC) copies. The
 * child hands the reader the read end on descriptor 10 (dup2 clears close-on-exec); everything else of
 * the pipe goes at the exec. So the reader holds no write end: a correct program. With "hang" the
 * parent keeps its write end while it waits: a deadlock whose only writer is the parent. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int reader(int fd) {
  char buf[256];
  int lines = 0;
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) {
    for (ssize_t i = 0; i < n; i++) lines += buf[i] == '\n';
  }
  printf("read %d lines\n", lines);
  return 0;
}

int main(int argc, char** argv) {
  if (argc == 3 && strcmp(argv[1], "reader") == 0) return reader(atoi(argv[2]));
  const char* mode = argc > 1 ? argv[1] : "pipe2";
  int hang = argc > 2 && strcmp(argv[2], "hang") == 0;
  int fds[2];
  if (strcmp(mode, "pipe2") == 0) {
    if (pipe2(fds, O_CLOEXEC) < 0) return 1;
  } else if (strcmp(mode, "fcntl") == 0) {
    if (pipe(fds) < 0) return 1;
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
  } else { /* "dup3": close-on-exec copies in place of the originals */
    int plain[2];
    if (pipe(plain) < 0) return 1;
    fds[0] = fcntl(plain[0], F_DUPFD_CLOEXEC, 20);
    fds[1] = 21;
    dup3(plain[1], fds[1], O_CLOEXEC);
    close(plain[0]);
    close(plain[1]);
  }
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[0], 10);
    char fd[8];
    snprintf(fd, sizeof fd, "%d", 10);
    execl(argv[0], argv[0], "reader", fd, (char*)NULL);
    _exit(127);
  }
  close(fds[0]);
  for (int i = 0; i < 3; i++) write(fds[1], "line\n", 5);
  if (!hang) close(fds[1]);
  int status;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
