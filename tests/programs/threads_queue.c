/* Two threads send to a queue, the main thread receives both messages and removes the queue. */
#include <pthread.h>
#include <sys/ipc.h>
#include <sys/msg.h>

struct msg {
  long mtype;
  int value;
};
static int q;

static void* sender(void* arg) {
  struct msg m = {.mtype = 5, .value = (int)(long)arg};
  msgsnd(q, &m, sizeof m - sizeof(long), 0);
  return NULL;
}

int main(void) {
  q = msgget(0x7002, IPC_CREAT | 0600);
  pthread_t a, b;
  pthread_create(&a, NULL, sender, (void*)1L);
  pthread_create(&b, NULL, sender, (void*)2L);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  struct msg m;
  msgrcv(q, &m, sizeof m - sizeof(long), 5, 0);
  msgrcv(q, &m, sizeof m - sizeof(long), 5, 0);
  msgctl(q, IPC_RMID, NULL);
  return 0;
}
