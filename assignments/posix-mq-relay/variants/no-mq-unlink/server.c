/* server QUEUE STATUS COUNT: creates the queue and the status page, relays COUNT messages to its
   standard output, then removes both. */
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "relay.h"

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: server QUEUE STATUS COUNT\n");
    return 2;
  }
  const char *queue = argv[1];
  const char *page = argv[2];
  int count = atoi(argv[3]);

  struct mq_attr attr = {.mq_maxmsg = MAX_MESSAGES, .mq_msgsize = MESSAGE_SIZE};
  mqd_t q = mq_open(queue, O_CREAT | O_EXCL | O_RDONLY, 0600, &attr);
  if (q == (mqd_t)-1) {
    perror("mq_open");
    return 1;
  }

  int fd = shm_open(page, O_CREAT | O_EXCL | O_RDWR, 0600);
  if (fd < 0) {
    perror("shm_open");
    return 1;
  }
  /* A new object is empty: give it the page's size before mapping it. */
  if (ftruncate(fd, sizeof(struct status)) < 0) {
    perror("ftruncate");
    return 1;
  }
  struct status *status = mmap(NULL, sizeof(struct status), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (status == MAP_FAILED) {
    perror("mmap");
    return 1;
  }
  close(fd); /* the mapping stays without the descriptor */

  /* mq_receive needs a buffer of at least mq_msgsize bytes: ask the queue for its real size. */
  if (mq_getattr(q, &attr) < 0) {
    perror("mq_getattr");
    return 1;
  }
  char *buf = malloc((size_t)attr.mq_msgsize);
  if (buf == NULL) {
    perror("malloc");
    return 1;
  }
  printf("ready\n");
  fflush(stdout);

  for (int i = 0; i < count; i++) {
    ssize_t n = mq_receive(q, buf, (size_t)attr.mq_msgsize, NULL);
    if (n < 0) {
      perror("mq_receive");
      return 1;
    }
    /* The message carries its NUL; %.*s stops at n bytes in case one does not. */
    printf("relayed: %.*s\n", (int)n, buf);
    status->relayed = i + 1;
    snprintf(status->last, sizeof status->last, "%.*s", (int)n, buf);
  }
  free(buf);

  munmap(status, sizeof(struct status));
  /* The page's name outlives this process: unlink it, or it stays until the machine restarts. */
  if (shm_unlink(page) < 0) {
    perror("shm_unlink");
    return 1;
  }
  mq_close(q);
  printf("done %d\n", count);
  return 0;
}
