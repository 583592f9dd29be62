/* A FIFO between a parent and its child, a POSIX named semaphore and a POSIX shared-memory object, all
   left behind; the mapping is never unmapped. */
#include <fcntl.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
  mkfifo("test.fifo", 0600);
  if (fork() == 0) {
    int w = open("test.fifo", O_WRONLY);
    write(w, "hello\n", 6);
    close(w);
    _exit(0);
  }
  char buf[16];
  int r = open("test.fifo", O_RDONLY);
  while (read(r, buf, sizeof buf) > 0) {
  }
  close(r);
  wait(NULL);
  sem_t* s = sem_open("/ipcgrade-test-sem", O_CREAT, 0600, 1);
  sem_post(s);
  int fd = shm_open("/ipcgrade-test-shm", O_CREAT | O_RDWR, 0600);
  ftruncate(fd, 4096);
  mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  return 0;
}
