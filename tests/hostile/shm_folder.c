/* Leaves things in the host's /dev/shm that no POSIX call made: a folder with a file in it, then made
 * mode 0 (nobody but root could list or empty it), and a FIFO. Prints what it made. Usage: shm_folder NAME */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  char dir[256], file[300], fifo[256];
  snprintf(dir, sizeof dir, "/dev/shm/%s", argv[1]);
  snprintf(file, sizeof file, "%s/inside", dir);
  snprintf(fifo, sizeof fifo, "/dev/shm/%s.fifo", argv[1]);
  const int made_dir = mkdir(dir, 0700) == 0;
  const int fd = open(file, O_WRONLY | O_CREAT, 0600);
  if (fd >= 0) close(fd);
  chmod(dir, 0);
  const int made_fifo = mkfifo(fifo, 0600) == 0;
  printf("folder %s, file %s, fifo %s\n", made_dir ? "made" : "refused", fd >= 0 ? "made" : "refused",
         made_fifo ? "made" : "refused");
  return 0;
}
