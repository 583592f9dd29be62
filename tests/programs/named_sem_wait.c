/* Waits on a named semaphore that starts at 0 and that nobody posts: a deadlock. */
#include <fcntl.h>
#include <semaphore.h>

int main(void) {
  sem_t* s = sem_open("/ipcgrade-test-wait", O_CREAT, 0600, 0);
  sem_wait(s);
  return 0;
}
