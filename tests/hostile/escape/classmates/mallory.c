/* Mallory, graded in the same tracked batch as alice and bob, run as the assignment's `./honest KEY`.
 * For three seconds she: takes the keys the public derivation gives her classmates (fnv1a of
 * "classmates/<student>") before they do; drains and removes every queue of the host's she can name by
 * id; and kills every other process named "honest" she can find, by pid and through its /proc folder
 * used as a pidfd. She prints what she got; her classmates' grades must not move. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static key_t public_key(const char* student) {
  char text[128];
  snprintf(text, sizeof text, "classmates/%s", student);
  uint64_t h = 1469598103934665603ULL;
  for (const unsigned char* c = (const unsigned char*)text; *c; ++c) {
    h ^= *c;
    h *= 1099511628211ULL;
  }
  const uint64_t blocks = (0x7ff00000ULL - 0x00100000ULL) / 16;
  return (key_t)(0x00100000ULL + (h % blocks) * 16);
}

int main(void) {
  int squatted = 0, drained = 0, removed = 0, killed = 0;
  int mine[64], held = 0;  // her squats: kept, never drained or removed by her
  const char* classmates[] = {"alice", "bob"};
  struct timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);
  do {
    for (int i = 0; i < 2; ++i) {
      const int id = msgget(public_key(classmates[i]), IPC_CREAT | IPC_EXCL | 0666);
      if (id >= 0 && held < 64) {
        mine[held++] = id;
        ++squatted;
      }
    }
    FILE* list = fopen("/proc/sysvipc/msg", "r");
    char line[512];
    while (list && fgets(line, sizeof line, list)) {
      int key, id;
      if (sscanf(line, "%d %d", &key, &id) != 2) continue;
      int own = 0;
      for (int i = 0; i < held; ++i) own |= mine[i] == id;
      if (own) continue;
      struct {
        long mtype;
        char text[256];
      } m;
      while (msgrcv(id, &m, sizeof m.text, 0, IPC_NOWAIT | MSG_NOERROR) >= 0) ++drained;
      if (msgctl(id, IPC_RMID, NULL) == 0) ++removed;
    }
    if (list) fclose(list);
    DIR* proc = opendir("/proc");
    struct dirent* e;
    while (proc && (e = readdir(proc))) {
      const int pid = atoi(e->d_name);
      if (pid <= 0 || pid == getpid()) continue;
      char path[64], comm[64] = "";
      snprintf(path, sizeof path, "/proc/%d/comm", pid);
      FILE* f = fopen(path, "r");
      if (!f) continue;
      if (!fgets(comm, sizeof comm, f)) comm[0] = 0;
      fclose(f);
      if (strcmp(comm, "honest\n") != 0) continue;
      if (kill(pid, SIGKILL) == 0) ++killed;
      snprintf(path, sizeof path, "/proc/%d", pid);
      const int dir = open(path, O_RDONLY | O_DIRECTORY);
      if (dir >= 0 && syscall(SYS_pidfd_send_signal, dir, SIGKILL, NULL, 0) == 0) ++killed;
      if (dir >= 0) close(dir);
    }
    if (proc) closedir(proc);
    usleep(50000);
    clock_gettime(CLOCK_MONOTONIC, &now);
  } while (now.tv_sec - start.tv_sec < 3);
  printf("squatted %d, drained %d, removed %d, killed %d\n", squatted, drained, removed, killed);
  return 0;
}
