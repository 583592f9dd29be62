// Double-forks into a new session, ignores SIGTERM and keeps making message queues; the program the
// runner started exits at once.
#include <signal.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <unistd.h>

int main(void) {
  if (fork() != 0) return 0;
  setsid();
  if (fork() != 0) return 0;
  signal(SIGTERM, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  for (;;) {
    msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    usleep(20000);
  }
}
