/* An ordinary program: the submission around it is what attacks the grader. */
#include <stdio.h>

int main(void) {
  printf("hello\n");
  fflush(stdout);
  return 0;
}
