/* What the chat server and client share: the longest line, and a reader that cuts what read() returns
   into lines. */
#ifndef CHAT_H
#define CHAT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LINE_SIZE 128 /* the longest line, its '\n' included */

/* Bytes read from a descriptor but not handed out yet. */
struct reader {
  int fd;
  size_t len;
  char buf[LINE_SIZE];
};

/* Copies the next line into `line` (LINE_SIZE bytes) as a string, without its '\n', and returns its
   length; returns -1 at end-of-file. One read() may return part of a line, or several lines: what
   follows the line stays in the buffer for the next call. */
static int read_line(struct reader *r, char *line) {
  for (;;) {
    char *nl = memchr(r->buf, '\n', r->len);
    if (nl == NULL && r->len < sizeof r->buf) {
      ssize_t n = read(r->fd, r->buf + r->len, sizeof r->buf - r->len);
      if (n < 0) {
        perror("read");
        exit(1);
      }
      if (n > 0) {
        r->len += (size_t)n;
        continue;
      }
      if (r->len == 0) return -1; /* end-of-file: every writer has closed its end */
      /* end-of-file after a last line without '\n': hand it out as it is */
    }
    size_t len = nl != NULL ? (size_t)(nl - r->buf) : r->len;
    if (len > LINE_SIZE - 1) len = LINE_SIZE - 1; /* too long: the rest comes as the next line */
    size_t used = nl != NULL ? len + 1 : len;
    memcpy(line, r->buf, len);
    line[len] = '\0';
    r->len -= used;
    memmove(r->buf, r->buf + used, r->len);
    return (int)len;
  }
}

#endif
