/* Makes N distinct IPC calls (msgctl on ids that do not exist, each a call of its own to the tracer;
 * N is the first argument, 13,000 without one) and says how many: a trace that kept them all would
 * grow the grader without bound. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/msg.h>

int main(int argc, char** argv) {
  const long n = argc > 1 ? atol(argv[1]) : 13000;
  struct msqid_ds ds;
  long failed = 0;
  for (long id = 1; id <= n; ++id) failed += msgctl((int)(id * 7919 % 2000000000), IPC_STAT, &ds) < 0;
  printf("%ld calls failed\n", failed);
  return 0;
}
