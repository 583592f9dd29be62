/* Blocked in pause(), but an alarm will wake it: slow, not deadlocked. */
#include <signal.h>
#include <unistd.h>

static void done(int sig) {
  (void)sig;
}

int main(void) {
  signal(SIGALRM, done);
  alarm(1);
  pause();
  return 0;
}
