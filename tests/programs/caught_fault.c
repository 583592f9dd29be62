/* A child catches its own SIGSEGV and jumps out of it (no crash), then puts the default back and waits;
 * its parent kills it with SIGSEGV: a kill, not a crash. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static sigjmp_buf back;
static void on_segv(int sig) {
  (void)sig;
  siglongjmp(back, 1);
}

int main(void) {
  int ready[2];
  if (pipe(ready) < 0) return 1;
  pid_t child = fork();
  if (child == 0) {
    close(ready[0]);
    signal(SIGSEGV, on_segv);
    if (sigsetjmp(back, 1) == 0) {
      volatile int* nowhere = NULL;
      *nowhere = 1; /* caught: the handler jumps back */
    }
    signal(SIGSEGV, SIG_DFL);
    write(ready[1], "x", 1);
    for (;;) pause();
  }
  close(ready[1]);
  char c;
  read(ready[0], &c, 1);
  kill(child, SIGSEGV);
  waitpid(child, NULL, 0);
  printf("parent done\n");
  return 0;
}
