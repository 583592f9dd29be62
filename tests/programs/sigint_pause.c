/* A server that waits for Ctrl-C: it makes a queue, waits until SIGINT, then removes the queue.
 * `sigint_pause` waits in pause(); `sigint_pause sigwait` in sigwait(); `sigint_pause worker` forks a
 * worker that waits too, then waits in pause() itself. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t interrupted = 0;
static void on_sigint(int sig) {
  (void)sig;
  interrupted = 1;
}

int main(int argc, char** argv) {
  const char* how = argc > 1 ? argv[1] : "pause";
  int id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
  if (strcmp(how, "sigwait") == 0) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_BLOCK, &set, NULL);
    printf("waiting\n");
    fflush(stdout);
    int sig;
    sigwait(&set, &sig);
  } else {
    struct sigaction sa = {.sa_handler = on_sigint};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    pid_t worker = strcmp(how, "worker") == 0 ? fork() : -1;
    if (worker == 0) { /* the worker ends on Ctrl-C too */
      while (!interrupted) pause();
      return 0;
    }
    printf("waiting\n");
    fflush(stdout);
    while (!interrupted) pause();
    if (worker > 0) waitpid(worker, NULL, 0);
  }
  msgctl(id, IPC_RMID, NULL);
  printf("cleaned up\n");
  return 0;
}
