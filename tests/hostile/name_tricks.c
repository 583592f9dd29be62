/* Tricks a grader that removes what a run made outside its folders into naming other files, and
 * makes names it might miss:
 *  - open(O_PATH|O_CREAT) through /proc/self/fd of a file the run cannot even read (VICTIM): O_PATH
 *    makes nothing, and the victim must stay;
 *  - a symlink in the working folder to VICTIM, opened with O_CREAT (refused where links are);
 *  - mkdir through /proc/self/cwd after chdir("/tmp"), and through a link with "..";
 *  - a folder with a file in it made in the working folder and renamed into /tmp;
 *  - a thread that flips the first byte of a path while another thread makes it.
 * Usage: name_tricks PREFIX VICTIM */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char raced[256];
static volatile int stop;

static void* flip(void* arg) {
  (void)arg;
  while (!stop) raced[0] = raced[0] == '/' ? 'z' : '/';
  return NULL;
}

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  const char* prefix = argv[1];
  char path[512], cwd[512];
  if (!getcwd(cwd, sizeof cwd)) return 2;
  int victim = open(argv[2], O_PATH);
  snprintf(path, sizeof path, "/proc/self/fd/%d", victim);
  printf("o_path: %s\n", open(path, O_PATH | O_CREAT, 0600) >= 0 ? "opened" : strerror(errno));
  printf("symlink: %s\n", symlink(argv[2], "victim-link") == 0 ? "made" : strerror(errno));
  printf("through the link: %s\n",
         open("victim-link", O_WRONLY | O_CREAT, 0600) >= 0 ? "opened" : strerror(errno));
  snprintf(path, sizeof path, "%s/%s-box", cwd, prefix);
  mkdir(path, 0700);
  snprintf(path, sizeof path, "%s/%s-box/inner", cwd, prefix);
  close(creat(path, 0600));
  char to[512];
  snprintf(path, sizeof path, "%s/%s-box", cwd, prefix);
  snprintf(to, sizeof to, "/tmp/%s-box", prefix);
  printf("rename: %s\n", rename(path, to) == 0 ? "made" : strerror(errno));
  printf("symlink to /var/tmp: %s\n", symlink("/var/tmp", "vlink") == 0 ? "made" : strerror(errno));
  snprintf(path, sizeof path, "vlink/../tmp/%s-dotdot", prefix);
  printf("dotdot: %s\n", mkdir(path, 0700) == 0 ? "made" : strerror(errno));
  if (chdir("/tmp") == 0) {
    snprintf(path, sizeof path, "/proc/self/cwd/%s-self", prefix);
    printf("proc self: %s\n", mkdir(path, 0700) == 0 ? "made" : strerror(errno));
  }
  pthread_t t;
  pthread_create(&t, NULL, flip, NULL);
  int made = 0;
  for (int i = 0; i < 200; ++i) {
    snprintf(raced, sizeof raced, "/tmp/%s-race-%d", prefix, i);
    made += mkdir(raced, 0700) == 0;
  }
  stop = 1;
  pthread_join(t, NULL);
  printf("raced: %d\n", made);
  return 0;
}
