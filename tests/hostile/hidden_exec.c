/* Makes itself unreadable and runs that copy: a program the process cannot read makes it not dumpable,
 * and a tracer without CAP_SYS_PTRACE (root in a container) could then read none of its memory — its
 * calls' arguments hidden from every check and guard. The hidden copy makes a queue and says so. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc > 1) {
    msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    printf("hidden ran\n");
    return 0;
  }
  int in = open("/proc/self/exe", O_RDONLY), out = open("hidden", O_WRONLY | O_CREAT | O_TRUNC, 0700);
  char buf[65536];
  ssize_t n;
  while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof buf)) > 0) write(out, buf, (size_t)n);
  close(out);
  chmod("hidden", 0111);
  fflush(stdout);
  execl("./hidden", "hidden", "x", (char*)0);
  perror("exec");
  return 1;
}
