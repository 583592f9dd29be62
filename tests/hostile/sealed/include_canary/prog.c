// Built by the instructor's `cc -o prog *.c`: the preprocessor and the assembler read whatever absolute
// path a source names. Each of tmp.c, root.c, alice.c and bob.c pulls one file in at compile time, and
// this program prints what they got.
#include <stdio.h>

extern const char tmp_canary[], root_canary[], alice_source[], bob_source[];

int main(void) {
  printf("tmp: %s\nroot: %s\nalice: %s\nbob: %s\n", tmp_canary, root_canary, alice_source, bob_source);
  return 0;
}
