/* The wall inventory's probe: tries, one by one, each thing docs/isolation.md says a run cannot do, and
 * prints one line per wall, "ROW: RESULT", RESULT being "ok" (the call succeeded) or the errno's name
 * (EPERM, EACCES, EROFS, ...). Rows whose outcome is a count say so in their own words (see each).
 * It changes nothing of the host it reaches: what it writes is removed by the test, the signals are
 * SIGCONT, the semaphore value written is 42 (the test checks it is still 7).
 *
 * Usage: probe TAG HOST_PID HOST_TMP_FILE HOST_UNIX_SOCKET ABSTRACT_NAME TCP_PORT SEM_ID MSG_ID SHM_ID
 *              HOST_MSG_KEY DISK_BYTES PROCESS_LIMIT */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void say(const char* row, long result) {
  if (result >= 0) {
    printf("%s: ok\n", row);
  } else {
    const char* name = strerrorname_np(errno);
    printf("%s: %s\n", row, name ? name : "E?");
  }
  fflush(stdout);
}

static long make_file(const char* path) {
  const int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (fd >= 0) close(fd);
  return fd;
}

static long read_file(const char* path) {
  char c;
  const int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  const long n = read(fd, &c, 1);
  close(fd);
  return n;
}

/* Fills FOLDER with files of 8 MiB (under any file-size limit) up to twice DISK bytes: ENOSPC (or
 * EDQUOT, EFBIG) where something holds the disk limit, "ok" where nothing does. */
static long fill(const char* folder, long long disk) {
  static char block[1 << 20];
  long long written = 0;
  memset(block, 'x', sizeof block);
  for (int f = 0; written < 2 * disk; ++f) {
    char path[512];
    snprintf(path, sizeof path, "%s/probe-fill-%d", folder, f);
    const int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) return -1;
    for (int i = 0; i < 8 && written < 2 * disk; ++i) {
      const ssize_t n = write(fd, block, sizeof block);
      if (n < (ssize_t)sizeof block) {
        const int saved = n < 0 ? errno : ENOSPC;
        close(fd);
        errno = saved;
        return -1;
      }
      written += n;
    }
    close(fd);
  }
  return 0;
}

static long unix_connect(const char* path, int abstract) {
  const int s = socket(AF_UNIX, SOCK_STREAM, 0);
  if (s < 0) return -1;
  struct sockaddr_un un;
  memset(&un, 0, sizeof un);
  un.sun_family = AF_UNIX;
  socklen_t len = sizeof un;
  if (abstract) {
    strncpy(un.sun_path + 1, path, sizeof un.sun_path - 2);
    len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(path));
  } else {
    strncpy(un.sun_path, path, sizeof un.sun_path - 1);
  }
  const long r = connect(s, (struct sockaddr*)&un, len);
  const int saved = errno;
  close(s);
  errno = saved;
  return r;
}

static long tcp(int port, int do_bind) {
  const int s = socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0) return -1;
  struct sockaddr_in in;
  memset(&in, 0, sizeof in);
  in.sin_family = AF_INET;
  in.sin_port = htons((unsigned short)(do_bind ? 0 : port));
  in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const long r =
      do_bind ? bind(s, (struct sockaddr*)&in, sizeof in) : connect(s, (struct sockaddr*)&in, sizeof in);
  const int saved = errno;
  close(s);
  errno = saved;
  return r;
}

/* A child made by clone with FLAGS, which ends at once: the clone's result. */
static long clone_with(unsigned long flags) {
  const long child = syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
  if (child == 0) _exit(0);
  if (child > 0) waitpid((pid_t)child, NULL, 0);
  return child;
}

/* Forks in flight: THREADS threads fork at once (a barrier), each child lives 100 ms. Prints how many
 * forks succeeded beside the row ("EAGAIN (1 of 6 made)"): the test compares it with the process limit. */
static pthread_barrier_t barrier;
static int forks_made;
static int fork_error;
static void* forker(void* arg) {
  (void)arg;
  pthread_barrier_wait(&barrier);
  /* The raw call: glibc's fork() holds its own locks across the call, one fork of a process at a time. */
  const long child = syscall(SYS_clone, SIGCHLD, NULL, NULL, NULL, NULL);
  if (child == 0) {
    const struct timespec wait = {0, 100000000};
    syscall(SYS_nanosleep, &wait, NULL);
    syscall(SYS_exit, 0);
  }
  if (child > 0) {
    __atomic_add_fetch(&forks_made, 1, __ATOMIC_SEQ_CST);
  } else {
    fork_error = errno;
  }
  /* Every thread lives until every fork is done: the tasks at once are this process, its six threads
   * and the children made. */
  pthread_barrier_wait(&barrier);
  return NULL;
}

/* One round: THREADS threads fork at once; returns how many forks were made (and sets fork_error). */
static int fork_round(int threads) {
  pthread_t t[64];
  forks_made = 0;
  pthread_barrier_init(&barrier, NULL, (unsigned)threads);
  pthread_attr_t small;
  pthread_attr_init(&small);
  pthread_attr_setstacksize(&small, 256 << 10);
  int started = 0;
  for (int i = 0; i < threads; ++i) started += pthread_create(&t[i], &small, forker, NULL) == 0;
  for (int i = 0; i < started; ++i) pthread_join(t[i], NULL);
  pthread_barrier_destroy(&barrier);
  while (wait(NULL) > 0) {
  }
  return started < threads ? -1 : forks_made;
}

/* Five rounds, the most made in one of them: whether a fork in flight is counted is a race of the
 * tracer's, which one round may not show. */
static void forks_in_flight(int threads) {
  int most = 0;
  for (int round = 0; round < 5; ++round) {
    const int made = fork_round(threads);
    if (made < 0) {
      printf("fork-in-flight: threads not started\n");
      return;
    }
    if (made > most) most = made;
  }
  if (fork_error) {
    const char* name = strerrorname_np(fork_error);
    printf("fork-in-flight: %s (%d of %d made)\n", name ? name : "E?", most, threads);
  } else {
    printf("fork-in-flight: ok (%d of %d made)\n", most, threads);
  }
  fflush(stdout);
}

int main(int argc, char** argv) {
  if (argc < 13) return 2;
  const char* tag = argv[1];
  const pid_t host = (pid_t)atoi(argv[2]);
  const char* host_tmp_file = argv[3];
  const char* host_socket = argv[4];
  const char* abstract_name = argv[5];
  const int port = atoi(argv[6]);
  const int sem = atoi(argv[7]), msg = atoi(argv[8]), shm = atoi(argv[9]);
  const key_t host_key = (key_t)strtol(argv[10], NULL, 0);
  const long long disk = atoll(argv[11]);
  const int process_limit = atoi(argv[12]);
  char path[512];

  /* The system's folders and what Landlock keeps read-only. */
  snprintf(path, sizeof path, "/usr/ipcgrade-probe-%s", tag);
  say("write-usr", make_file(path));
  snprintf(path, sizeof path, "/bin/ipcgrade-probe-%s", tag);
  say("write-bin", make_file(path));
  snprintf(path, sizeof path, "/etc/ipcgrade-probe-%s", tag);
  say("write-etc", make_file(path));
  {
    const int fd = open("/proc/self/comm", O_WRONLY);
    long r = fd;
    if (fd >= 0) {
      r = write(fd, "probe", 5);
      close(fd);
    }
    say("write-proc-self", r);
  }
  /* The host's files. */
  say("read-host-tmp", read_file(host_tmp_file));
  snprintf(path, sizeof path, "/tmp/ipcgrade-probe-%s", tag);
  say("write-host-tmp", make_file(path));
  say("list-root", open("/root", O_RDONLY | O_DIRECTORY));
  /* The disk: the private temporary folder, filled to twice limits.disk. */
  const char* tmpdir = getenv("TMPDIR");
  say("fill-tmp", fill(tmpdir ? tmpdir : "/tmp", disk));
  for (int f = 0; f < 64; ++f) {
    snprintf(path, sizeof path, "%s/probe-fill-%d", tmpdir ? tmpdir : "/tmp", f);
    unlink(path);
  }
  /* Another program's System V objects, by id and by key. */
  {
    union {
      int val;
    } arg = {42};
    say("semctl-setval-foreign", semctl(sem, 0, SETVAL, arg));
  }
  say("semctl-rmid-foreign", semctl(sem, 0, IPC_RMID));
  say("msgctl-rmid-foreign", msgctl(msg, IPC_RMID, NULL));
  say("shmctl-rmid-foreign", shmctl(shm, IPC_RMID, NULL));
  {
    struct {
      long mtype;
      char text[4];
    } m = {1, "hi"};
    say("msgsnd-foreign", msgsnd(msg, &m, sizeof m.text, IPC_NOWAIT));
  }
  say("shmat-foreign", (long)shmat(shm, NULL, SHM_RDONLY) == -1 ? -1 : 0);
  say("msgget-foreign-key", msgget(host_key, 0));
  say("msgget-create-foreign-key", msgget(host_key, IPC_CREAT | 0600));
  /* The network. */
  say("tcp-connect", tcp(port, 0));
  say("tcp-bind", tcp(0, 1));
  say("unix-connect-host", unix_connect(host_socket, 0));
  say("unix-connect-abstract", unix_connect(abstract_name, 1));
  /* The grader and the host's processes. */
  say("kill-host", kill(host, SIGCONT));
  say("kill-all", kill(-1, SIGCONT));
  say("pidfd-open-host", syscall(SYS_pidfd_open, host, 0));
  say("ptrace-host", ptrace(PTRACE_ATTACH, host, NULL, NULL));
  {
    const int fd = open("/dev/null", O_RDONLY);
    say("fsetown-host", fcntl(fd, F_SETOWN, host));
    close(fd);
  }
  /* What every mode refuses. */
  say("unshare", unshare(CLONE_NEWUSER | CLONE_NEWIPC));
  say("clone-namespace", clone_with(CLONE_NEWIPC));
  say("clone-untraced", clone_with(CLONE_UNTRACED));
  say("clone3", syscall(SYS_clone3, NULL, 0));
  say("mount", mount("none", "/tmp", "tmpfs", 0, NULL));
  say("memfd-secret", syscall(SYS_memfd_secret, 0));
  say("set-not-dumpable", prctl(PR_SET_DUMPABLE, 0, 0, 0, 0));
  {
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    say("io-uring", syscall(SYS_io_uring_setup, 4, &p));
  }
  say("bpf", syscall(SYS_bpf, 0, NULL, 0));
  /* Shared memory past limits.memory (the test gives 128 MiB): a second 80 MiB segment. */
  {
    const int a = shmget(IPC_PRIVATE, 80 << 20, IPC_CREAT | 0600);
    const int b = shmget(IPC_PRIVATE, 80 << 20, IPC_CREAT | 0600);
    const int saved = errno;
    if (a >= 0) shmctl(a, IPC_RMID, NULL);
    if (b >= 0) shmctl(b, IPC_RMID, NULL);
    errno = saved;
    say("shm-past-memory", a < 0 ? -1 : b);
  }
  /* The process limit, forks in flight: six threads fork at once, with this process 7 tasks before. */
  (void)process_limit;
  forks_in_flight(6);
  return 0;
}
