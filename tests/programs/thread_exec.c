/* A thread other than the first runs exec: the process's new program (this one again, asked to) makes
 * its queue calls. Every call of the new program is the process's, whichever thread ran exec: the
 * exec gives that thread the process's id. */
#include <pthread.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <unistd.h>

struct message {
  long mtype;
  char text[8];
};

static const char* self;  // argv[0]: the path it was run by (a sandbox's /proc may not lead back to it)

static void* run_again(void* unused) {
  (void)unused;
  execl(self, self, "again", (char*)NULL);
  return NULL;
}

int main(int argc, char** argv) {
  self = argv[0];
  if (argc > 1 && strcmp(argv[1], "again") == 0) {
    int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    struct message m = {.mtype = 7, .text = "hello"};
    msgsnd(q, &m, sizeof m.text, 0);
    msgrcv(q, &m, sizeof m.text, 7, 0);
    return msgctl(q, IPC_RMID, NULL);
  }
  pthread_t thread;
  pthread_create(&thread, NULL, run_again, NULL);
  pthread_join(thread, NULL);
  return 1;
}
