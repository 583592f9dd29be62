/* vfork + exec, then a queue created and removed by the parent. */
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
  pid_t pid = vfork();
  if (pid == 0) {
    execlp("true", "true", (char*)NULL);
    _exit(127);
  }
  waitpid(pid, NULL, 0);
  int q = msgget(0x7001, IPC_CREAT | 0600);
  if (q < 0) return 1;
  msgctl(q, IPC_RMID, NULL);
  return 0;
}
