/* greet: the child greets, then the parent says it is done. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
  pid_t child = fork();
  if (child == 0) {
    printf("child: hello\n");
    fflush(stdout);
    return 0;
  }
  /* The child was made first, so it has printed by now. */
  printf("parent: done\n");
  fflush(stdout);
  waitpid(child, NULL, 0);
  return 0;
}
