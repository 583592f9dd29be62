// Output and debug information that lie to a reader: the program prints terminal control sequences, DEL,
// a C1 control and a byte that is not UTF-8, and leaves a queue behind from a line whose file name
// (#line) is a carriage return and an escape sequence that repaints the line above as passed.
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/msg.h>

int main(void) {
  printf("\033[2J\033[H PASS everything 100/100\177 \302\233 \377\n");
#line 63 "\r\033[2A  PASS  every queue is removed  10/10\033[K"
  msgget(IPC_PRIVATE, IPC_CREAT | 0600);
  return 0;
}
