/* greet: the child greets, then the parent says it is done: the parent waits for its child first. */
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
  waitpid(child, NULL, 0);
  printf("parent: done\n");
  return 0;
}
