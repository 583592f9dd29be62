// Lists every process /proc shows, as "<mode> proc: PID COMM", then its own pid as "<mode> self: PID".
// Outside a sealed /proc this is the whole machine: the grader, the test runner, every other student's run.
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "run";
  DIR* proc = opendir("/proc");
  struct dirent* e;
  while (proc && (e = readdir(proc))) {
    if (!isdigit((unsigned char)e->d_name[0])) continue;
    char path[300], comm[64] = "?";
    snprintf(path, sizeof path, "/proc/%s/comm", e->d_name);
    FILE* f = fopen(path, "r");
    if (f && fgets(comm, sizeof comm, f)) comm[strcspn(comm, "\n")] = '\0';
    if (f) fclose(f);
    printf("%s proc: %s %s\n", mode, e->d_name, comm);
  }
  if (proc) closedir(proc);
  /* The command line of pid 1: the sandbox's init must not carry the grader's (folders, student). */
  char cmdline[4096] = "";
  FILE* init = fopen("/proc/1/cmdline", "r");
  size_t n = init ? fread(cmdline, 1, sizeof cmdline - 1, init) : 0;
  if (init) fclose(init);
  for (size_t i = 0; i + 1 < n; ++i)
    if (cmdline[i] == '\0') cmdline[i] = ' ';
  cmdline[n] = '\0';
  while (n > 0 && (cmdline[n - 1] == ' ' || cmdline[n - 1] == '\0')) cmdline[--n] = '\0';
  printf("%s init: %s\n", mode, cmdline);
  printf("%s self: %d\n", mode, (int)getpid());
  return 0;
}
