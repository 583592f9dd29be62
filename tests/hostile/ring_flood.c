/* Floods the BPF observer: eight processes make semop calls as fast as they can for about a second,
 * hoping the observer's ring overflows and a call of the run goes unjudged; then one leaves a message
 * queue behind. Whatever the observer lost, the grade must be the one ptrace gives. */
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(void) {
  int set = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
  semctl(set, 0, SETVAL, 1);
  for (int w = 0; w < 8; w++) {
    if (fork() == 0) {
      struct sembuf take = {0, -1, 0}, give = {0, 1, 0};
      const time_t end = time(NULL) + 1;
      while (time(NULL) <= end) {
        for (int i = 0; i < 1000; i++) {
          semop(set, &take, 1);
          semop(set, &give, 1);
        }
      }
      _exit(0);
    }
  }
  while (wait(NULL) > 0) {
  }
  semctl(set, 0, IPC_RMID);
  msgget(IPC_PRIVATE, IPC_CREAT | 0600); /* never removed */
  printf("flooded\n");
  return 0;
}
