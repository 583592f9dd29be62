/* @CANARY@: a line only this student's source holds; no other submission may ever print it. */
#include <stdio.h>
#include <unistd.h>

int main(void) {
  printf("hello\n");
  fflush(stdout);
  /* Long enough for the other students of a batch to run while this copy exists. */
  sleep(1);
  return 0;
}
