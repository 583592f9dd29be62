/* Every way a man-page reader hides from the tracer and the audit, tried in turn; prints what each got.
 *  - a nested user and IPC namespace (unshare, and clone with the flags), where a leaked queue would
 *    be invisible to the audit of the run's own namespace;
 *  - clone3 (whose flags a filter cannot read) and clone(CLONE_UNTRACED), a child the tracer never sees;
 *  - memfd_secret memory, which no other process can read, and PR_SET_DUMPABLE 0, which stops a tracer
 *    without CAP_SYS_PTRACE reading any of the program's memory.
 * Then leaks a queue where it is: the audit must find it. A thread (pthread_create: clone3, then clone)
 * still works. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void said(const char* what, long rc) {
  printf("%s: %s\n", what, rc < 0 ? strerror(errno) : "done");
  fflush(stdout);
}

static void* thread_main(void* arg) {
  (void)arg;
  return (void*)42;
}

int main(void) {
  said("unshare", unshare(CLONE_NEWUSER | CLONE_NEWIPC));
  pid_t child = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | CLONE_NEWIPC | SIGCHLD, 0, 0, 0, 0);
  if (child == 0) {
    msgget(IPC_PRIVATE, 0600 | IPC_CREAT);
    _exit(0);
  }
  said("clone-namespace", child);
  if (child > 0) waitpid(child, 0, 0);

  struct clone_args args;
  memset(&args, 0, sizeof args);
  args.flags = CLONE_NEWIPC;
  args.exit_signal = SIGCHLD;
  child = (pid_t)syscall(SYS_clone3, &args, sizeof args);
  if (child == 0) _exit(0);
  said("clone3", child);
  if (child > 0) waitpid(child, 0, 0);

  child = (pid_t)syscall(SYS_clone, CLONE_UNTRACED | SIGCHLD, 0, 0, 0, 0);
  if (child == 0) {
    sleep(30);
    _exit(0);
  }
  said("clone-untraced", child);

  said("memfd_secret", syscall(SYS_memfd_secret, 0));
  said("dumpable", prctl(PR_SET_DUMPABLE, 0, 0, 0, 0));

  pthread_t thread;
  void* result = 0;
  if (pthread_create(&thread, 0, thread_main, 0) == 0 && pthread_join(thread, &result) == 0)
    printf("thread: %s\n", result == (void*)42 ? "ran" : "lost");
  else
    printf("thread: failed\n");

  said("msgget", msgget(IPC_PRIVATE, 0600 | IPC_CREAT));
  return 0;
}
