/* Reports: the last stage of model -> LP/policy -> chain/simulator -> measures
 * -> report.  A command builds its result once as a report (key-value sections
 * and tables with named columns) and renders it in any output format:
 *
 *   text      aligned columns for a terminal (the default)
 *   csv       RFC 4180 (CRLF line ends, fields with , " CR LF quoted, "" inside)
 *   json      one object through jansson; keys are the keys given here
 *   markdown  pipe tables, numbers right-aligned
 *   latex     booktabs tabulars ready to paste (\usepackage{booktabs})
 *
 * Structure and JSON mapping.  A report is an ordered list of sections:
 *
 *   key-value section  (accq_report_kv)      JSON: "key": {field: value, ...};
 *                                            with key NULL its fields go straight
 *                                            into the top-level object
 *   table              (accq_report_table)   JSON: "key": [{col: cell, ...}, ...]
 *
 * A key-value field holds a number, an integer, a string, a boolean, null (with
 * a reason shown to humans, e.g. "none: accuracy target infeasible"), a list of
 * numbers (JSON array), a nested key-value section (JSON object), or a list
 * of nested sections (JSON array of objects).  Human
 * formats show labels (falling back to keys); JSON shows keys only.  Numbers are
 * doubles: NaN and infinities become JSON null and "nan"/"inf" elsewhere.
 *
 * Numbers print in the shortest form that reads back to the same double (at
 * most 17 significant digits: never less precise than %.17g).  In the human
 * formats (text, markdown, latex) a column or field may ask for `digits`
 * significant digits (%.Ng) instead, and accq_report_set_digits() overrides
 * both; CSV and JSON always carry full precision.
 *
 * CSV.  When a table is marked primary (accq_report_set_primary), CSV output is
 * that table alone (header + rows), which is what scripts want from a sweep.
 * Otherwise the key-value fields come first as "key,value" rows (nested keys
 * joined with '.', lists as key.0, key.1, ..., exact fractions as key.exact), then each table after an empty
 * line with its own header.
 *
 * Errors.  The builder functions never fail loudly: on a bad call (a table row
 * with too many cells, a NULL key) or an allocation failure the report records
 * the first error, later builder calls are ignored, and rendering returns that
 * status (ACCQ_EINVAL or ACCQ_ENOMEM) with its message, writing nothing.
 * Rendering checks every table (each row has one cell per column) before any
 * byte is written.
 *
 * Files.  accq_report_write_file() writes through accq_outfile_* (below): a
 * regular file is replaced atomically (temporary file in the target's
 * directory, fflush + fsync, rename; on failure the old file is untouched);
 * devices, FIFOs and sockets are written directly, symlinks followed.
 *
 * Cost: building is O(cells) amortized; rendering is O(cells) plus jansson's
 * tree for JSON.  A report owns copies of every string given to it.
 */
#ifndef ACCQ_REPORT_H
#define ACCQ_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "accq/status.h"

/* Output formats.  The registry below (accq_format_info) is the one list of
 * them: parsing, the help text, the renderer and whether a format is for
 * programs all come from it.  Adding a format = one enumerator here (before
 * ACCQ_FORMAT_COUNT), one row in the table of render.c and its renderer. */
typedef enum {
  ACCQ_FORMAT_TEXT = 0,
  ACCQ_FORMAT_CSV,
  ACCQ_FORMAT_JSON,
  ACCQ_FORMAT_MARKDOWN,
  ACCQ_FORMAT_LATEX,
  ACCQ_FORMAT_COUNT
} accq_format_t;

typedef struct {
  accq_format_t id;
  const char *name;      /* canonical name: "markdown" */
  const char *alias;     /* also accepted by accq_format_parse ("md"), or NULL */
  const char *extension; /* usual file extension without the dot: "md" */
  int machine;           /* 1: read by programs: full precision (--digits ignored), every
                          * row (commands never shorten a machine format's tables) */
  const char *comment;   /* how a provenance line starts ("# "), NULL: JSON's object */
  const char *comment_end; /* and ends (" -->" in Markdown), "" if nothing */
} accq_format_info_t;

/* The registry entry of f; NULL for a value outside the enumeration. */
const accq_format_info_t *accq_format_info(accq_format_t f);
/* Whether f is a machine format (CSV, JSON): see accq_format_info_t.machine. */
int accq_format_machine(accq_format_t f);
/* "text, csv, json, markdown or latex" (for help and messages): static text. */
const char *accq_format_list(void);

/* Parses a format name or alias ("text", "csv", "json", "markdown"/"md",
 * "latex"/"tex").  ACCQ_EUSAGE naming the bad word otherwise. */
int accq_format_parse(const char *name, accq_format_t *f, accq_err_t *err);
/* Canonical name of a format ("text"...); "unknown" outside the enumeration. */
const char *accq_format_name(accq_format_t f);

typedef struct accq_report accq_report_t;
typedef struct accq_report_section accq_report_section_t;

/* A new empty report.  `title` (may be NULL) heads the human formats
 * ("accq lp: two-tier") and is not part of the JSON.  NULL on allocation
 * failure.  Free with accq_report_free (NULL accepted). */
accq_report_t *accq_report_alloc(const char *title);
void accq_report_free(accq_report_t *r);

/* Significant digits for numbers in human formats (0 = per column/field, the
 * default).  JSON always carries full precision (%.17g). */
void accq_report_set_digits(accq_report_t *r, int digits);

/* The first error recorded while building (0 if none); fills err. */
int accq_report_status(const accq_report_t *r, accq_err_t *err);

/* Visibility of a section or field: ACCQ_REPORT_ALL, or a mask of the formats
 * that show it (ACCQ_REPORT_ONLY(ACCQ_FORMAT_CSV) | ...). */
#define ACCQ_REPORT_ONLY(format) (1 << (format))
enum {
  ACCQ_REPORT_ALL = 0,
  /* machine-only extras (e.g. exact fractions as strings, a JSON-shaped copy) */
  ACCQ_REPORT_JSON_ONLY = ACCQ_REPORT_ONLY(ACCQ_FORMAT_JSON),
  /* text, markdown, latex */
  ACCQ_REPORT_HUMAN_ONLY = ACCQ_REPORT_ONLY(ACCQ_FORMAT_TEXT) |
                           ACCQ_REPORT_ONLY(ACCQ_FORMAT_MARKDOWN) |
                           ACCQ_REPORT_ONLY(ACCQ_FORMAT_LATEX),
  /* everything but JSON (when JSON carries the same data in another shape) */
  ACCQ_REPORT_NOT_JSON = ACCQ_REPORT_HUMAN_ONLY | ACCQ_REPORT_ONLY(ACCQ_FORMAT_CSV)
};

/* Adds a key-value section at the end of the report.  `key` is its JSON key
 * (NULL: its fields go into the top-level JSON object), `label` its heading
 * for humans (NULL: key, or no heading for the top-level section).  The
 * returned section belongs to the report; NULL only after an earlier error
 * (every builder function accepts a NULL section and does nothing). */
accq_report_section_t *accq_report_kv(accq_report_t *r, const char *key, const char *label);

/* Fields of a key-value section, in order.  `label` NULL shows the key.
 * `digits` as described above (0 = shortest exact form). */
void accq_kv_num(accq_report_section_t *s, const char *key, const char *label, double v,
                 int digits);
/* A number with its exact value as a fraction "p/q", shown beside the decimal
 * in human formats ("0.4  = 2/5"); JSON carries the number only. */
void accq_kv_num_exact(accq_report_section_t *s, const char *key, const char *label, double v,
                       const char *exact);
void accq_kv_int(accq_report_section_t *s, const char *key, const char *label, long long v);
void accq_kv_str(accq_report_section_t *s, const char *key, const char *label, const char *v);
void accq_kv_bool(accq_report_section_t *s, const char *key, const char *label, int v);
/* JSON null; humans see `why` (e.g. "none (accuracy target infeasible)"), or "-". */
void accq_kv_null(accq_report_section_t *s, const char *key, const char *label, const char *why);
/* A list of n numbers: JSON array, "a, b, c" for humans. */
void accq_kv_nums(accq_report_section_t *s, const char *key, const char *label, const double *v,
                  int n, int digits);
/* A list of n texts: JSON array of strings (e.g. "warnings"), "a; b" for
 * humans ("(none)" when empty), key.0, key.1 in CSV. */
void accq_kv_strs(accq_report_section_t *s, const char *key, const char *label,
                  const char *const *v, int n);
/* A nested key-value section (JSON object under `key`); humans see its fields
 * indented under `label`.  Returns the child (owned by the report). */
accq_report_section_t *accq_kv_object(accq_report_section_t *s, const char *key,
                                      const char *label);
/* A list of objects (JSON array under `key`, e.g. solve's "results"), and
 * appending one object to it; `label` heads the element for humans (the
 * policy name), CSV keys use its index (results.0.accuracy).  The pattern for
 * results that humans want as a table but JSON wants nested: a JSON_ONLY list
 * plus a NOT_JSON table built from the same values. */
accq_report_section_t *accq_kv_list(accq_report_section_t *s, const char *key,
                                    const char *label);
accq_report_section_t *accq_kv_list_add(accq_report_section_t *list, const char *label);
/* Visibility (ACCQ_REPORT_*) of the last field added, or of a whole section. */
void accq_kv_visibility(accq_report_section_t *s, int visibility);
void accq_report_section_visibility(accq_report_section_t *s, int visibility);

/* Adds a table at the end of the report: JSON "key": [ {col: cell...} ... ].
 * Declare every column first, then fill row by row. */
accq_report_section_t *accq_report_table(accq_report_t *r, const char *key, const char *label);
/* A column: JSON key, human header (NULL: key), digits for its numbers. */
void accq_table_col(accq_report_section_t *t, const char *key, const char *label, int digits);
/* Starts a new row; the cells that follow fill it left to right. */
void accq_table_row(accq_report_section_t *t);
void accq_table_num(accq_report_section_t *t, double v);
void accq_table_int(accq_report_section_t *t, long long v);
void accq_table_str(accq_report_section_t *t, const char *v);
/* JSON null; humans see `why` or "-". */
void accq_table_null(accq_report_section_t *t, const char *why);
/* CSV output becomes this table alone. */
void accq_report_set_primary(accq_report_t *r, accq_report_section_t *t);

/* Provenance: what made an output, so a number in a paper can be traced back
 * (docs/output.md).  Every format carries it once set:
 *   json      a "provenance" object, the last key of the top-level object
 *   csv       comment lines "# provenance.KEY: VALUE" before the first row
 *   markdown  "<!-- provenance.KEY: VALUE -->" lines at the head
 *   latex     "% provenance.KEY: VALUE" lines at the head
 *   text      a "provenance" footer, only when text_footer is set (accq -v)
 * Keys, in this order: accq_version, git_revision, command, seed (when the
 * command draws random numbers), model (the file as given, or "<default>"),
 * model_sha256, date (ISO 8601 UTC).  A field whose pointer is NULL is left
 * out.  Control characters in values are written as \xHH in comment lines.
 * The report copies every string.  Set once, after the report is built (the
 * first call wins). */
typedef struct {
  const char *accq_version;  /* accq_version() */
  const char *git_revision;  /* accq_version_git() */
  const char *command;       /* the command line (accq_provenance_command) */
  int has_seed;              /* the command uses randomness: seed below */
  uint64_t seed;
  const char *model;         /* model file as given, "<default>", or NULL: no model */
  const char *model_sha256;  /* accq_provenance_model_sha256, or NULL */
  const char *date;          /* accq_provenance_date, or NULL */
  int text_footer;           /* 1: the text format shows it as a footer */
} accq_provenance_t;
void accq_report_set_provenance(accq_report_t *r, const accq_provenance_t *p);

/* The command line as one string: argv[0] reduced to its last path component
 * ("accq"), then each argument, in single quotes when the shell would need
 * them (a'b -> 'a'\''b').  ACCQ_ERANGE when it does not fit `size`. */
int accq_provenance_command(int argc, char *const *argv, char *buf, size_t size,
                            accq_err_t *err);
/* Today's date and time, UTC, "2026-05-01T12:00:00Z"; when the environment
 * variable SOURCE_DATE_EPOCH is set (seconds since 1970, the
 * reproducible-builds.org convention) that instant instead, so reruns are
 * byte-identical.  ACCQ_EUSAGE for a SOURCE_DATE_EPOCH that is not a whole
 * number of seconds. */
int accq_provenance_date(char buf[32], accq_err_t *err);
/* The model's content hash: SHA-256 of the model file's bytes (path), or of
 * `text` when path is NULL (the built-in model's text), followed for each
 * override by the bytes "\n--set " and the override ("system.load=0.9").
 * Without overrides it equals `sha256sum FILE`.  ACCQ_EIO naming the path. */
int accq_provenance_model_sha256(const char *path, const char *text, const char *const *sets,
                                 int nsets, char hex[65], accq_err_t *err);

/* Renders the report to a stream.  Fails with the builder's recorded error or
 * with ACCQ_EINVAL for a ragged table before writing anything; ACCQ_EWRITE
 * when the stream fails.  Strings that are not UTF-8 are carried in JSON with
 * each bad byte written as the text \xHH (rendering never fails on them). */
int accq_report_write(const accq_report_t *r, accq_format_t f, FILE *out, accq_err_t *err);

/* Renders to `path` through accq_outfile_* (see below); path NULL or "-"
 * means stdout.  ACCQ_EIO when the path cannot be opened, ACCQ_EWRITE (exit
 * status 3) when writing fails (disk full, closed stdout), naming the path
 * and the system's reason. */
int accq_report_write_file(const accq_report_t *r, accq_format_t f, const char *path,
                           accq_err_t *err);

/* Refuses a text that output cannot carry unchanged: anything but
 * well-formed UTF-8 (JSON text is UTF-8; names are matched byte for byte by
 * check-sim, so they are refused rather than escaped).  `what` names it in
 * the message ("model name 'x'").  ACCQ_EMODEL naming the first bad byte and
 * its offset.  Commands call it on the model's names right after loading,
 * before any computation.  O(length). */
int accq_report_check_text(const char *s, const char *what, accq_err_t *err);

/* Output files for any writer (reports, golden files, plots).  What gets
 * replaced depends on what `path` names:
 *   - a regular file, or nothing yet: a temporary file next to it, then
 *     fflush + fsync + rename over it (a reader sees the old or the complete
 *     new file; on failure the old file is untouched);
 *   - a symbolic link: followed to its target, which is replaced as above
 *     (the link stays);
 *   - a device, FIFO, socket, /dev/stdout or /dev/fd/N: written directly,
 *     never renamed over;
 *   - NULL or "-": standard output.
 * open gives the stream; commit flushes and publishes it; abort (or a failed
 * commit) removes the temporary file.  Exactly one of commit or abort must be
 * called; both free the handle (abort accepts NULL).  A failed write, flush,
 * sync or rename in commit is ACCQ_EWRITE (exit status 3) naming the path and
 * the system's reason; open's errors (directory, no permission) ACCQ_EIO. */
typedef struct accq_outfile accq_outfile_t;
int accq_outfile_open(const char *path, accq_outfile_t **of, accq_err_t *err);
FILE *accq_outfile_stream(accq_outfile_t *of);
int accq_outfile_commit(accq_outfile_t *of, accq_err_t *err);
void accq_outfile_abort(accq_outfile_t *of);
/* Checks, before any computation, that output can go to `path` (NULL or "-"
 * is stdout: fine): not a directory, its directory exists and is writable
 * (a new file is created by rename there), a device or FIFO is writable, and
 * it is none of the n `inputs` (compared by device and inode after following
 * links: a model file read by the command).  ACCQ_EUSAGE when it is an
 * input, ACCQ_EIO otherwise, naming the path.  No file is created. */
int accq_outfile_check(const char *path, const char *const *inputs, int ninputs,
                       accq_err_t *err);
/* Copies the file `src` to `path` through accq_outfile_* (e.g. a picture
 * drawn by gnuplot into a temporary file). */
int accq_outfile_copy(const char *src, const char *path, accq_err_t *err);
/* Removes every temporary file still open (not committed or aborted).
 * Async-signal-safe: meant for SIGINT/SIGTERM handlers (the accq command
 * installs one), so an interrupted run leaves no stray file. */
void accq_outfile_unlink_pending(void);

/* SHA-256 (FIPS 180-4) of a file's bytes, as 64 lowercase hex digits and a
 * NUL: the provenance of golden values (which model file they come from).
 * ACCQ_EIO naming the path.  O(file size).  The incremental form hashes any
 * bytes: init, update (any number of times), final. */
int accq_sha256_file(const char *path, char hex[65], accq_err_t *err);
typedef struct {
  uint32_t h[8];
  uint64_t bytes;
  unsigned char buf[64];
  size_t fill;
} accq_sha256_t;
void accq_sha256_init(accq_sha256_t *s);
void accq_sha256_update(accq_sha256_t *s, const void *data, size_t n);
void accq_sha256_final(accq_sha256_t *s, char hex[65]);

#endif
