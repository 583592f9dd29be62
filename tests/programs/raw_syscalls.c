/* The IPC calls made through syscall(), bypassing the libc wrappers; the queue is left behind. */
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/syscall.h>
#include <unistd.h>

struct msg {
  long mtype;
  char text[16];
};

int main(void) {
  long q = syscall(SYS_msgget, 0x7003, IPC_CREAT | 0640);
  if (q < 0) return 1;
  struct msg m = {.mtype = 7, .text = "raw"};
  syscall(SYS_msgsnd, q, &m, sizeof m, 0); /* the whole struct: 8 bytes too many */
  return 0;
}
