/* Small text helpers shared by the library's modules (src/core/text.c).
 * Never installed. */
#ifndef ACCQ_CORE_TEXT_H
#define ACCQ_CORE_TEXT_H

#include <stddef.h>

/* Writes `s` (at most `n` bytes of it, or up to its NUL if n < 0) into out as a
 * printable quote-free string: control and non-ASCII bytes as \xHH, cut to
 * about 48 characters with "...".  Returns out. */
char *accq_i_printable(const char *s, long n, char *out, size_t outsz);

#endif
