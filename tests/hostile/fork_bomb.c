// Forks without end: every child forks again. The run's process limit must stop it.
#include <unistd.h>

int main(void) {
  for (;;) fork();
}
