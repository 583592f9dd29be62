/* Signals a process outside the run every way a pid reaches one: kill, tgkill, rt_sigqueueinfo,
 * rt_tgsigqueueinfo and a pidfd (pidfd_open, then pidfd_send_signal). Prints what each got.
 * Usage: signal_outside PID */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static void said(const char* how, long rc) {
  if (rc == 0)
    printf("%s: signalled\n", how);
  else
    printf("%s: %s\n", how, strerror(errno));
}

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  const pid_t pid = atoi(argv[1]);
  siginfo_t info;
  memset(&info, 0, sizeof info);
  info.si_code = SI_QUEUE;
  info.si_pid = getpid();
  info.si_uid = getuid();
  said("kill", kill(pid, SIGKILL));
  said("tgkill", syscall(SYS_tgkill, pid, pid, SIGKILL));
  said("rt_sigqueueinfo", syscall(SYS_rt_sigqueueinfo, pid, SIGKILL, &info));
  said("rt_tgsigqueueinfo", syscall(SYS_rt_tgsigqueueinfo, pid, pid, SIGKILL, &info));
  long pidfd = syscall(SYS_pidfd_open, pid, 0);
  said("pidfd", pidfd < 0 ? -1 : syscall(SYS_pidfd_send_signal, (int)pidfd, SIGKILL, NULL, 0));
  return 0;
}
