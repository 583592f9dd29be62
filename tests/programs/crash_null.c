/* A client that dereferences NULL: the grader names the crash with its signal, line and address. */
#include <stdio.h>

static int length(const char* word) {
  int n = 0;
  while (word[n] != '\0') n++; /* word is NULL: SIGSEGV at address 0x0 */
  return n;
}

int main(void) {
  const char* word = NULL;
  printf("length %d\n", length(word));
  return 0;
}
