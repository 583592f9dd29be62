/* Climbs its ancestors (the supervisor, the grader, whatever started it) and tries to read each one's
 * environment and memory through /proc, as a program of the grader's own uid could in tracked mode
 * without Landlock. Prints, per ancestor, whether the environment held the variable named by argv[1]
 * and whether any of its memory could be read. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int parent_of(int pid) {
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  FILE* f = fopen(path, "r");
  if (!f) return 0;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  char* close = strrchr(buf, ')');
  int ppid = 0;
  if (close) sscanf(close + 2, "%*c %d", &ppid);
  return ppid;
}

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  for (int pid = getppid(); pid > 1; pid = parent_of(pid)) {
    char path[64];
    static char env[1 << 16];
    snprintf(path, sizeof path, "/proc/%d/environ", pid);
    int fd = open(path, O_RDONLY);
    ssize_t n = fd < 0 ? -1 : read(fd, env, sizeof env - 1);
    if (n < 0) {
      printf("environ: %s\n", strerror(errno));
    } else {
      int found = 0;
      for (ssize_t i = 0; i < n; i += (ssize_t)strlen(env + i) + 1) {
        env[n] = 0;
        if (strncmp(env + i, argv[1], strlen(argv[1])) == 0) found = 1;
      }
      printf("environ: %s\n", found ? "found the secret" : "read, no secret");
    }
    if (fd >= 0) close(fd);
    snprintf(path, sizeof path, "/proc/%d/maps", pid);
    FILE* maps = fopen(path, "r");
    unsigned long start = 0;
    if (maps && fscanf(maps, "%lx", &start) != 1) start = 0;
    if (maps) fclose(maps);
    snprintf(path, sizeof path, "/proc/%d/mem", pid);
    fd = open(path, O_RDONLY);
    char byte;
    if (fd >= 0 && start && pread(fd, &byte, 1, (off_t)start) == 1)
      printf("mem: read\n");
    else
      printf("mem: %s\n", start ? strerror(errno) : "no map");
    if (fd >= 0) close(fd);
  }
  return 0;
}
