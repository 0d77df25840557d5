/* Comma-separated number lists for options such as --scales 1,2,4 (shared by
 * verify, converge and sweep). */
#ifndef ACCQ_CLI_NUMLIST_H
#define ACCQ_CLI_NUMLIST_H

/* Parses "a,b,c" into at most cap values; returns 0, or -1 on a bad or
 * empty item or more than cap items (nothing printed). */
int accq_cli_parse_doubles(const char *s, double *v, int cap, int *n);
int accq_cli_parse_ints(const char *s, int *v, int cap, int *n);

#endif
