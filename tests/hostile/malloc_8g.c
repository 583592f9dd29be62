// Asks for 8 GiB and touches it.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
  size_t size = 8ULL << 30;
  char* p = malloc(size);
  if (p == NULL) {
    fprintf(stderr, "malloc of 8 GiB failed\n");
    return 1;
  }
  memset(p, 1, size);
  return 0;
}
