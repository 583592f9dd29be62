/* The tracing benchmark's untraced load: ITERATIONS (default 1,000,000) getppid calls, which the
 * seccomp filter lets through without a stop. Measures what tracing costs a program that makes no
 * IPC calls at all. */
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char** argv) {
  long n = argc > 1 ? atol(argv[1]) : 1000000;
  for (long i = 0; i < n; i++) syscall(SYS_getppid);
  return 0;
}
