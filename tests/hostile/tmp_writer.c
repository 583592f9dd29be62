/* Leaves names in the host's world-writable folders, the ways student code does: a file in /tmp and
 * /var/tmp, a FIFO and a folder (with a file in it) in /tmp, and a bound Unix socket there. Prints what
 * each attempt got. Usage: tmp_writer PREFIX (PREFIX names everything it makes: PREFIX-file, ...). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static void said(const char* what, int ok) {
  if (ok)
    printf("%s: made\n", what);
  else
    printf("%s: %s\n", what, strerror(errno));
}

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  char path[512];
  snprintf(path, sizeof path, "/tmp/%s-file", argv[1]);
  int fd = open(path, O_CREAT | O_WRONLY, 0644);
  said("file in /tmp", fd >= 0 && write(fd, "left\n", 5) == 5);
  snprintf(path, sizeof path, "/var/tmp/%s-file", argv[1]);
  fd = open(path, O_CREAT | O_WRONLY, 0644);
  said("file in /var/tmp", fd >= 0);
  snprintf(path, sizeof path, "/tmp/%s-fifo", argv[1]);
  said("fifo", mkfifo(path, 0600) == 0);
  snprintf(path, sizeof path, "/tmp/%s-dir", argv[1]);
  said("folder", mkdir(path, 0700) == 0);
  snprintf(path, sizeof path, "/tmp/%s-dir/inside", argv[1]);
  fd = creat(path, 0600);
  said("file in the folder", fd >= 0);
  struct sockaddr_un un;
  memset(&un, 0, sizeof un);
  un.sun_family = AF_UNIX;
  snprintf(un.sun_path, sizeof un.sun_path, "/tmp/%s-sock", argv[1]);
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  said("socket", s >= 0 && bind(s, (struct sockaddr*)&un, sizeof un) == 0);
  return 0;
}
