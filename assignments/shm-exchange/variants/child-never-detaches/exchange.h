/* The layout of the shared segment used by the writer and the reader. */
#ifndef EXCHANGE_H
#define EXCHANGE_H

#define SEGMENT_SIZE 4096

struct exchange {
  int length;                                  /* bytes of text, without the NUL */
  char text[SEGMENT_SIZE - sizeof(int)];       /* NUL-terminated */
};

#endif
