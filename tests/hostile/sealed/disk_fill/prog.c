// Writes 1 GiB into its working folder: 128 files of 8 MiB, each below the 16 MiB file size limit, so only
// a limit on the folder's filesystem stops it. Says how far it got: "wrote N MiB: why it stopped".
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char chunk[1 << 20];

// Writes one chunk whole; returns 0, or the errno of the write that failed.
static int write_chunk(int fd) {
  size_t done = 0;
  while (done < sizeof chunk) {
    ssize_t n = write(fd, chunk + done, sizeof chunk - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    done += (size_t)n;
  }
  return 0;
}

int main(void) {
  memset(chunk, 'x', sizeof chunk);
  size_t mib = 0;
  int error = 0;
  for (int file = 0; file < 128 && !error; ++file) {
    char name[64];
    snprintf(name, sizeof name, "fill-%03d.bin", file);
    int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
      error = errno;
      break;
    }
    for (int i = 0; i < 8 && !(error = write_chunk(fd)); ++i) ++mib;
    close(fd);
  }
  printf("wrote %zu MiB: %s\n", mib, error ? strerror(error) : "done");
  return 0;
}
