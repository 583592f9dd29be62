/* A child writes a line into a pipe through stdio, and its parent reads it through stdio: each
 * system call is made several libc frames below the line of the program that caused it. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
  int ends[2];
  if (pipe(ends) != 0) return 1;
  if (fork() == 0) {
    close(ends[0]);
    FILE* out = fdopen(ends[1], "w");
    fprintf(out, "hello %d\n", 42);
    fclose(out); /* the write */
    _exit(0);
  }
  close(ends[1]);
  FILE* in = fdopen(ends[0], "r");
  char line[64];
  if (!fgets(line, sizeof line, in)) return 1; /* the read */
  fclose(in);
  wait(NULL);
  return line[0] != 'h';
}
