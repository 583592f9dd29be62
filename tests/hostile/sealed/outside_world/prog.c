/* Reaches out of the run every way tracked mode once let it: reads a world-readable file of the host,
 * writes into the host's /tmp and /var/tmp, sets up io_uring (whose operations pass any filter on system
 * calls), connects to a loopback listener, and signals a process of the host with rt_sigqueueinfo and
 * through a pidfd, and connects to a Unix socket of the host. Prints what each attempt got.
 * Usage: prog run MARKER WORLD_FILE HOST_PID HOST_SOCKET */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "sealed.h"

int main(int argc, char** argv) {
  if (argc < 6) return 2;
  const char* marker = argv[2];
  const char* world = argv[3];
  const int pid = atoi(argv[4]);
  char line[512];

  FILE* f = fopen(world, "r");
  if (f && fgets(line, sizeof line, f)) printf("read: %s", line);
  else printf("read refused: %s\n", strerror(errno));
  if (f) fclose(f);

  const char* dirs[] = {"/tmp", "/var/tmp"};
  for (int i = 0; i < 2; ++i) {
    snprintf(line, sizeof line, "%s/%s-written", dirs[i], marker);
    int fd = open(line, O_CREAT | O_WRONLY, 0644);
    if (fd >= 0) {
      printf("wrote %s\n", dirs[i]);
      close(fd);
    } else {
      printf("write to %s refused: %s\n", dirs[i], strerror(errno));
    }
  }

  struct io_uring_params params;
  memset(&params, 0, sizeof params);
  long ring = syscall(SYS_io_uring_setup, 4, &params);
  if (ring >= 0) printf("io_uring: set up\n");
  else printf("io_uring refused: %s\n", strerror(errno));

  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in at;
  memset(&at, 0, sizeof at);
  at.sin_family = AF_INET;
  at.sin_port = htons(PORT4);
  at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (s >= 0 && connect(s, (struct sockaddr*)&at, sizeof at) == 0) printf("tcp: connected\n");
  else printf("tcp refused: %s\n", strerror(errno));

  siginfo_t info;
  memset(&info, 0, sizeof info);
  info.si_code = SI_QUEUE;
  info.si_pid = getpid();
  info.si_uid = getuid();
  if (syscall(SYS_rt_sigqueueinfo, pid, SIGKILL, &info) == 0) printf("rt_sigqueueinfo: signalled\n");
  else printf("rt_sigqueueinfo refused: %s\n", strerror(errno));

  long pidfd = syscall(SYS_pidfd_open, pid, 0);
  if (pidfd >= 0 && syscall(SYS_pidfd_send_signal, (int)pidfd, SIGKILL, NULL, 0) == 0)
    printf("pidfd_send_signal: signalled\n");
  else printf("pidfd refused: %s\n", strerror(errno));
  int u = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un un;
  memset(&un, 0, sizeof un);
  un.sun_family = AF_UNIX;
  strncpy(un.sun_path, argv[5], sizeof un.sun_path - 1);
  if (u >= 0 && connect(u, (struct sockaddr*)&un, sizeof un) == 0) printf("unix: connected\n");
  else printf("unix refused: %s\n", strerror(errno));
  return 0;
}
