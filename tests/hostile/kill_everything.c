// Signals every process it may: kill(-1), its parent, and pid 1.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
  int all = kill(-1, SIGKILL);
  printf("kill(-1): %s\n", all == 0 ? "sent" : strerror(errno));
  int parent = kill(getppid(), SIGKILL);
  printf("kill(parent): %s\n", parent == 0 ? "sent" : strerror(errno));
  int init = kill(1, SIGKILL);
  printf("kill(1): %s\n", init == 0 ? "sent" : strerror(errno));
  return 0;
}
