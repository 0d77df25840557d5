/* Small text helpers (core/text.h). */
#include "core/text.h"

#include <string.h>

char *accq_i_printable(const char *s, long n, char *out, size_t outsz) {
  static const char hex[] = "0123456789abcdef";
  size_t o = 0, shown = 0;
  if (outsz == 0) return out;
  for (long i = 0; (n < 0 ? s[i] != '\0' : i < n); i++) {
    unsigned char ch = (unsigned char)s[i];
    if (shown >= 48 || o + 8 >= outsz) {
      if (o + 4 < outsz) memcpy(out + o, "...", 3), o += 3;
      break;
    }
    if (ch >= 0x20 && ch < 0x7f) {
      out[o++] = (char)ch;
    } else {
      out[o++] = '\\';
      out[o++] = 'x';
      out[o++] = hex[ch >> 4];
      out[o++] = hex[ch & 15];
    }
    shown++;
  }
  out[o] = '\0';
  return out;
}
