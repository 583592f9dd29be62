/* Two sides of one queue: `queue_pair make KEY` creates it and exits without removing it; `queue_pair
 * take KEY` opens it and then waits for a signal for ever. The grader's stop of the taker does not excuse
 * the maker, who ended by itself without msgctl(IPC_RMID). */
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  key_t key = (key_t)strtol(argv[2], NULL, 0);
  if (strcmp(argv[1], "make") == 0) return msgget(key, IPC_CREAT | 0600) < 0;
  if (msgget(key, 0) < 0) return 1;
  for (;;) pause();
}
