/* Built with -static: no libc wrappers to hook, the tracer still sees every call. Attaches a segment
 * and exits without shmdt or IPC_RMID. */
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

int main(void) {
  int id = shmget(0x7004, 8192, IPC_CREAT | 0600);
  if (id < 0) return 1;
  char* p = shmat(id, NULL, 0);
  if (p == (void*)-1) return 1;
  strcpy(p, "left attached");
  return 0;
}
