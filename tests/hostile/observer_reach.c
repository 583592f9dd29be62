/* Looks for the BPF observer from inside the run: a descriptor of its maps or ring inherited from
 * the supervisor (which could read what other processes did, or unfollow this one), and bpf() itself
 * to find its maps by id. Prints what it reached. */
#include <dirent.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
  int reached = 0;
  DIR* fds = opendir("/proc/self/fd");
  struct dirent* e;
  while (fds && (e = readdir(fds))) {
    char path[64], target[256];
    snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
    ssize_t n = readlink(path, target, sizeof target - 1);
    if (n <= 0) continue;
    target[n] = 0;
    if (strstr(target, "bpf")) {
      printf("inherited %s -> %s\n", e->d_name, target);
      reached = 1;
    }
  }
  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  long r = syscall(SYS_bpf, BPF_MAP_GET_NEXT_ID, &attr, sizeof attr);
  if (r == 0) {
    printf("bpf() listed map %u\n", attr.next_id);
    reached = 1;
  } else {
    printf("bpf() refused: %s\n", strerror(errno));
  }
  printf(reached ? "reached the observer\n" : "nothing of the observer\n");
  return 0;
}
