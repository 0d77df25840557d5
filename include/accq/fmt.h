/* Numbers in messages: the shortest text that reads back to the same double.
 *
 * "%g" prints 6 significant digits, so a message about a near-tie says
 * "a* 0.9 above every type's accuracy (best 0.9)" when a* = 0.9000000001, and
 * a sweep point 0.699999999998 reads "0.7".  accq_fmt_double writes the
 * fewest significant digits (1..17) for which strtod gives back v exactly:
 * 0.1 -> "0.1", 1/3 -> "0.33333333333333331", 1e-300 -> "1e-300",
 * 10 -> "10"; "nan", "inf", "-inf" for the others.  The report formats use
 * the same function for full-precision numbers (accq/report.h).
 *
 * In a message: accq_err_set(err, ..., "a* = %s", ACCQ_FMT(m->a_star)); the
 * macro's buffer is a compound literal that lives until the end of the
 * enclosing block.  Cost: at most 5 snprintf + strtod pairs. */
#ifndef ACCQ_FMT_H
#define ACCQ_FMT_H

#include <stddef.h>

/* Enough for any double in shortest form: sign, 17 digits, point, e-308. */
#define ACCQ_FMT_DOUBLE_MAX 32

/* Writes v into buf (size >= ACCQ_FMT_DOUBLE_MAX for every value) and
 * returns buf. */
const char *accq_fmt_double(double v, char *buf, size_t size);

#define ACCQ_FMT(v) accq_fmt_double((v), (char[ACCQ_FMT_DOUBLE_MAX]){0}, ACCQ_FMT_DOUBLE_MAX)

#endif
