/* Calls that a signal interrupts while they wait. A SIGCHLD handler installed with SA_RESTART:
 * - `msgrcv` fails with EINTR anyway (System V calls are never restarted); the program retries;
 * - `open` of a FIFO that waits for its writer is restarted by the kernel: the program never sees the
 *   interruption. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct message {
  long mtype;
  char text[16];
};

static volatile sig_atomic_t children_ended;

static void on_child(int sig) {
  (void)sig;
  children_ended++;
}

int main(int argc, char** argv) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_child;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGCHLD, &sa, NULL);
  if (argc > 1 && strcmp(argv[1], "open") == 0) {
    char dir[] = "/tmp/interrupted-XXXXXX", path[64];
    mkdtemp(dir);
    snprintf(path, sizeof path, "%s/fifo", dir);
    mkfifo(path, 0600);
    if (fork() == 0) { /* its end interrupts the open */
      usleep(100000);
      _exit(0);
    }
    if (fork() == 0) {
      usleep(300000);
      int out = open(path, O_WRONLY);
      write(out, "late", 4);
      _exit(0);
    }
    int in = open(path, O_RDONLY); /* waits for the writer */
    char buf[8];
    ssize_t n = read(in, buf, sizeof buf);
    printf("read %zd\n", n);
    close(in);
    unlink(path);
    rmdir(dir);
  } else {
    int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    if (fork() == 0) { /* its end interrupts the receive */
      usleep(100000);
      _exit(0);
    }
    if (fork() == 0) {
      usleep(300000);
      struct message m = {1, "late"};
      msgsnd(q, &m, sizeof m.text, 0);
      _exit(0);
    }
    struct message m;
    ssize_t n;
    while ((n = msgrcv(q, &m, sizeof m.text, 0, 0)) < 0 && errno == EINTR) puts("msgrcv: EINTR, again");
    printf("received %zd\n", n);
    msgctl(q, IPC_RMID, NULL);
  }
  while (wait(NULL) > 0 || errno == EINTR) {
  }
  return 0;
}
