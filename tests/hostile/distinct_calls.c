/* Makes 13,000 distinct IPC calls (msgctl on ids that do not exist, each a call of its own to the
 * tracer) and says how many: a trace that kept them all would grow the grader without bound. */
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/msg.h>

int main(void) {
  struct msqid_ds ds;
  int failed = 0;
  for (int id = 1; id <= 13000; ++id) failed += msgctl(id * 7919, IPC_STAT, &ds) < 0;
  printf("%d calls failed\n", failed);
  return 0;
}
