#include "cli/numlist.h"

#include <string.h>

#include "cli/cli.h"

static int parse_list(const char *s, void *v, int cap, int *n, int ints) {
  *n = 0;
  if (!s || !*s) return -1;
  char item[64];
  while (1) {
    const char *comma = strchr(s, ',');
    size_t len = comma ? (size_t)(comma - s) : strlen(s);
    if (len == 0 || len >= sizeof item || *n >= cap) return -1;
    memcpy(item, s, len);
    item[len] = '\0';
    if (ints) {
      if (accq_cli_parse_int(item, (int *)v + *n)) return -1;
    } else {
      if (accq_cli_parse_double(item, (double *)v + *n)) return -1;
    }
    (*n)++;
    if (!comma) return 0;
    s = comma + 1;
  }
}

int accq_cli_parse_doubles(const char *s, double *v, int cap, int *n) {
  return parse_list(s, v, cap, n, 0);
}

int accq_cli_parse_ints(const char *s, int *v, int cap, int *n) {
  return parse_list(s, v, cap, n, 1);
}
