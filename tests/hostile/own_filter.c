/* Installs a seccomp filter of its own that answers SECCOMP_RET_TRACE with no data for socket(),
 * which would tie with the grader's refusal and, as the newer filter, clear its errno; then makes a
 * TCP socket. Prints what each got. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
  struct sock_filter code[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_socket, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {sizeof code / sizeof code[0], code};
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  printf("seccomp: %s\n",
         syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0 ? "installed" : strerror(errno));
  printf("prctl: %s\n",
         prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0 ? "installed" : strerror(errno));
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  printf("socket: %s\n", s >= 0 ? "made" : strerror(errno));
  return 0;
}
