/* A parent whose child ends at once, and which exits 50 ms later without wait(): by then the child has
 * ended, but nobody collected it. */
#include <unistd.h>

int main(void) {
  if (fork() == 0) return 0;
  usleep(50000);
  return 0;
}
