/* Makes a queue, blocks SIGINT and SIGTERM so that no stop signal can reach it, and waits for ever: it
 * never removes the queue, and the grace of a `stop:` the assignment gave it does not excuse that. */
#include <signal.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <unistd.h>

int main(void) {
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  sigprocmask(SIG_BLOCK, &stop, NULL);
  msgget(IPC_PRIVATE, IPC_CREAT | 0600);
  for (;;) pause();
}
