// Tries to leave its folder: writes the file named by argv[1] (outside the scratch copy) and a file in
// /etc, and connects to 127.0.0.1 on the port in argv[2]. Prints what happened to each.
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void try_write(const char* path) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    printf("write %s: %s\n", path, strerror(errno));
    return;
  }
  ssize_t n = write(fd, "escaped\n", 8);
  close(fd);
  printf("write %s: %s\n", path, n == 8 ? "written" : strerror(errno));
}

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  try_write(argv[1]);
  try_write("/etc/ipcgrade-hostile-escape");
  int s = socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0) {
    printf("connect: %s\n", strerror(errno));
    return 0;
  }
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[2]))};
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int rc = connect(s, (struct sockaddr*)&to, sizeof to);
  printf("connect: %s\n", rc == 0 ? "connected" : strerror(errno));
  return 0;
}
