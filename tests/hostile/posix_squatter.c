/* Opens POSIX objects of the host by their names with O_CREAT (no O_EXCL) and never unlinks them,
   so that a grader that took every open with O_CREAT for a creation would remove the host's objects;
   then floods the grader with glibc-like semaphore temporaries whose opens fail (names too long), and
   leaves a FIFO made from a subfolder.
   argv[1]: the host's queue name, argv[2]: the host's shared-memory name, argv[3]: temporaries. */
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc != 4) return 2;
  mqd_t q = mq_open(argv[1], O_RDWR | O_CREAT, 0600, NULL);
  printf("queue: %s\n", q == (mqd_t)-1 ? "refused" : "opened");
  int fd = shm_open(argv[2], O_RDWR | O_CREAT, 0600);
  printf("shm: %s\n", fd < 0 ? "refused" : "opened");
  /* Names of 4000 bytes under /dev/shm/sem.: every open fails (ENAMETOOLONG), none is a temporary. */
  static char path[4200];
  strcpy(path, "/dev/shm/sem.");
  memset(path + 13, 'x', 4000);
  long n = atol(argv[3]);
  for (long i = 0; i < n; ++i) {
    snprintf(path + 13, 20, "%019ld", i);
    path[13 + 19] = 'x';
    open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
  }
  printf("temporaries: %ld\n", n);
  /* A FIFO made from a subfolder, by a relative name: it is in sub/, not in the working folder. */
  mkdir("sub", 0700);
  if (chdir("sub") == 0 && mkfifo("left.fifo", 0600) == 0) printf("fifo: made\n");
  return 0;
}
