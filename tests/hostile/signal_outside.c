/* Signals a process outside the run every way a pid reaches one: kill, tgkill, rt_sigqueueinfo,
 * rt_tgsigqueueinfo, a pidfd (pidfd_open, then pidfd_send_signal), its /proc/PID folder opened as a
 * file and used as a pidfd (SIGSTOP, then SIGKILL), and a pipe whose owner it is made (F_SETOWN, or
 * ioctl FIOSETOWN) with F_SETSIG SIGKILL and O_ASYNC, then written. Prints what each got.
 * Usage: signal_outside PID */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
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
  char proc[64];
  snprintf(proc, sizeof proc, "/proc/%d", pid);
  int dir = open(proc, O_RDONLY | O_DIRECTORY);
  said("proc-stop", dir < 0 ? -1 : syscall(SYS_pidfd_send_signal, dir, SIGSTOP, NULL, 0));
  said("proc-kill", dir < 0 ? -1 : syscall(SYS_pidfd_send_signal, dir, SIGKILL, NULL, 0));
  int ends[2];
  if (pipe(ends) == 0) {
    long rc = fcntl(ends[0], F_SETOWN, pid);
    printf("fsetown: %s\n", rc == 0 ? "owner set" : strerror(errno));
    int owner = pid;
    rc = ioctl(ends[1], FIOSETOWN, &owner);
    printf("fiosetown: %s\n", rc == 0 ? "owner set" : strerror(errno));
    fcntl(ends[0], F_SETSIG, SIGKILL);
    fcntl(ends[1], F_SETSIG, SIGKILL);
    fcntl(ends[0], F_SETFL, O_ASYNC | O_NONBLOCK);
    fcntl(ends[1], F_SETFL, O_ASYNC | O_NONBLOCK);
    (void)write(ends[1], "x", 1);
    char c;
    (void)read(ends[0], &c, 1);
  }
  return 0;
}
