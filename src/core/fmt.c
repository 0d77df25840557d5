/* Shortest round-trip formatting of doubles (accq/fmt.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "accq/fmt.h"

const char *accq_fmt_double(double v, char *buf, size_t size) {
  if (isnan(v)) {
    snprintf(buf, size, "nan");
    return buf;
  }
  if (isinf(v)) {
    snprintf(buf, size, v > 0 ? "inf" : "-inf");
    return buf;
  }
  /* At most 17 significant digits identify a double, and if p digits read
   * back exactly so do p+1, so binary search the smallest p (5 conversions
   * instead of up to 17). */
  int lo = 1, hi = 17;
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    snprintf(buf, size, "%.*g", mid, v);
    if (strtod(buf, NULL) == v)
      hi = mid;
    else
      lo = mid + 1;
  }
  int p = lo;
  /* %g switches to an exponent when the decimal exponent X >= precision:
   * write 10 as "10", not "1e+01" (same digits, more precision asked) */
  int x = v == 0 ? 0 : (int)floor(log10(fabs(v)));
  if (x >= p && x < 17) p = x + 1;
  snprintf(buf, size, "%.*g", p, v);
  /* the search assumes monotonicity, which can fail right at a power of two
   * (asymmetric rounding interval): never give up exactness for it */
  if (strtod(buf, NULL) != v) snprintf(buf, size, "%.17g", v);
  return buf;
}
