/* A server that waits for Ctrl-C: it makes a queue, pauses until SIGINT, then removes the queue. */
#include <signal.h>
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <unistd.h>

static volatile sig_atomic_t interrupted = 0;
static void on_sigint(int sig) {
  (void)sig;
  interrupted = 1;
}

int main(void) {
  struct sigaction sa = {.sa_handler = on_sigint};
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  int id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
  printf("waiting\n");
  fflush(stdout);
  while (!interrupted) pause();
  msgctl(id, IPC_RMID, NULL);
  printf("cleaned up\n");
  return 0;
}
