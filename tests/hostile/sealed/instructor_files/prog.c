// Reads the instructor's input file the assignment hands over (data/input.txt, copied into the working
// folder), then the assignment folder itself: its assignment.yaml, its copy of the input and the solution.
// Prints "read PATH: CONTENT" or "read PATH: ERROR" for each.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sealed.h"

static void show(const char* path) {
  char buf[4096];
  int fd = open(path, O_RDONLY);
  ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
  if (n < 0) {
    printf("read %s: %s\n", path, strerror(errno));
  } else {
    buf[n] = '\0';
    printf("read %s: %s\n", path, buf);
  }
  if (fd >= 0) close(fd);
}

int main(void) {
  show("data/input.txt");
  show(ASSIGNMENT_DIR "/assignment.yaml");
  show(ASSIGNMENT_DIR "/data/input.txt");
  show(ASSIGNMENT_DIR "/solution/prog.c");
  return 0;
}
