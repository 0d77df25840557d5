/* The one monotonic clock of accq (time limits, timings, progress). */
#include <time.h>

#include "accq/clock.h"

double accq_clock_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
