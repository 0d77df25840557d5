/* The cell executor and its checkpoint files (accq/dist.h): exact byte
 * serialization, a serial run storing every cell once in order, resuming from
 * a checkpoint without recomputing, a torn last record dropped, damaged bytes
 * detected by the record checksum, another identity refused (exit status 2),
 * a file that is not a checkpoint never overwritten. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accq/dist.h"
#include "testutil.h"

/* ---- a toy grid: cell i's result is (i, i^2 / 7 as a double, a name) ---- */
typedef struct {
  int n;
  int evals[64];        /* how often each cell was computed */
  int stored[64];       /* how often stored */
  int order[64], nstored;
  double value[64];
  char name[64][32];
  int fail_at;          /* eval fails with EINTR at this cell (-1: never) */
} toy_t;

static int toy_eval(void *ctx, int c, void **bytes, size_t *len, accq_err_t *err) {
  toy_t *t = ctx;
  if (c == t->fail_at) return accq_err_set(err, ACCQ_EINTR, "toy: stop at %d", c);
  t->evals[c]++;
  accq_dist_buf_t b;
  accq_dist_buf_init(&b);
  accq_dist_put_i64(&b, c);
  accq_dist_put_f64(&b, (double)c * c / 7.0);
  char name[32];
  snprintf(name, sizeof name, "cell-%d", c);
  accq_dist_put_str(&b, name);
  return accq_dist_buf_take(&b, bytes, len, err);
}

static int toy_store(void *ctx, int c, const void *bytes, size_t len, accq_err_t *err) {
  toy_t *t = ctx;
  accq_dist_reader_t r;
  accq_dist_reader_init(&r, bytes, len);
  int64_t i = accq_dist_get_i64(&r);
  t->value[c] = accq_dist_get_f64(&r);
  accq_dist_get_str(&r, t->name[c], sizeof t->name[c]);
  int st = accq_dist_reader_end(&r, "toy cell", err);
  if (st) return st;
  ck_assert_int_eq(i, c);
  t->stored[c]++;
  t->order[t->nstored++] = c;
  return ACCQ_SUCCESS;
}

static void toy_init(toy_t *t, int n) {
  memset(t, 0, sizeof *t);
  t->n = n;
  t->fail_at = -1;
}

static const char *tmp_path(const char *tag) {
  static char p[256];
  snprintf(p, sizeof p, "%s/accq-test-dist-%ld-%s.ckpt", P_tmpdir, (long)getpid(), tag);
  unlink(p);
  return p;
}

static void identity(accq_dist_options_t *o, const char *opts) {
  accq_dist_options_init(o);
  accq_dist_identity(o, "toy", "[system]\nscale = 1\n", opts);
}

/* every cell stored exactly once, in order, with the values eval computed */
static void check_all_stored(const toy_t *t) {
  ck_assert_int_eq(t->nstored, t->n);
  for (int c = 0; c < t->n; c++) {
    ck_assert_int_eq(t->stored[c], 1);
    ck_assert_int_eq(t->order[c], c);
    /* bit-exact: the double went through its bits */
    double want = (double)c * c / 7.0;
    ck_assert_msg(!memcmp(&t->value[c], &want, sizeof want), "cell %d: %.17g", c, t->value[c]);
    char name[32];
    snprintf(name, sizeof name, "cell-%d", c);
    ck_assert_str_eq(t->name[c], name);
  }
}

START_TEST(test_buffer_exact) {
  accq_dist_buf_t b;
  accq_dist_buf_init(&b);
  double vals[] = {0.1, -0.0, NAN, INFINITY, 5e-324, 1.7976931348623157e308};
  for (int i = 0; i < 6; i++) accq_dist_put_f64(&b, vals[i]);
  accq_dist_put_i64(&b, -1234567890123LL);
  accq_dist_put_str(&b, "héllo");
  accq_dist_put_str(&b, NULL);
  void *bytes;
  size_t len;
  accq_err_t err;
  ck_assert_int_eq(accq_dist_buf_take(&b, &bytes, &len, &err), 0);
  ck_assert_uint_eq(len, 6 * 8 + 8 + 8 + 6 + 8);
  /* little-endian on every host: 0.1 = 0x3FB999999999999A, low byte first */
  ck_assert_uint_eq(((unsigned char *)bytes)[0], 0x9A);
  ck_assert_uint_eq(((unsigned char *)bytes)[7], 0x3F);
  accq_dist_reader_t r;
  accq_dist_reader_init(&r, bytes, len);
  for (int i = 0; i < 6; i++) {
    double v = accq_dist_get_f64(&r);
    ck_assert_msg(!memcmp(&v, &vals[i], sizeof v), "value %d", i);
  }
  ck_assert(accq_dist_get_i64(&r) == -1234567890123LL);
  char s[16];
  accq_dist_get_str(&r, s, sizeof s);
  ck_assert_str_eq(s, "héllo");
  accq_dist_get_str(&r, s, sizeof s);
  ck_assert_str_eq(s, "");
  ck_assert_int_eq(accq_dist_reader_end(&r, "test", &err), 0);
  /* reading past the end, and a string longer than its destination, fail */
  accq_dist_reader_init(&r, bytes, len);
  for (int i = 0; i < 8; i++) accq_dist_get_f64(&r);
  char small[4];
  accq_dist_get_str(&r, small, sizeof small);
  ck_assert_int_eq(accq_dist_reader_end(&r, "test", &err), ACCQ_EINVAL);
  accq_dist_reader_init(&r, bytes, 8);
  accq_dist_get_f64(&r);
  accq_dist_get_f64(&r);
  ck_assert_int_eq(accq_dist_reader_end(&r, "short", &err), ACCQ_EINVAL);
  ck_assert_msg(strstr(err.msg, "short"), "%s", err.msg);
  free(bytes);
}
END_TEST

START_TEST(test_serial_run) {
  toy_t t;
  toy_init(&t, 20);
  accq_dist_t *d;
  accq_err_t err;
  int argc = 1;
  char *args[] = {"test", NULL}, **argv = args;
  ck_assert_int_eq(accq_dist_init(&argc, &argv, &d, &err), 0);
  ck_assert_int_eq(accq_dist_rank(d), 0);
  ck_assert_int_eq(accq_dist_size(d), 1);
  accq_dist_rank_stats_t stats[1];
  ck_assert_int_eq(accq_dist_run(d, 20, toy_eval, toy_store, &t, NULL, stats, &err), 0);
  check_all_stored(&t);
  for (int c = 0; c < 20; c++) ck_assert_int_eq(t.evals[c], 1);
  ck_assert_int_eq(stats[0].cells, 20);
  ck_assert(stats[0].wall >= stats[0].busy && stats[0].busy >= 0);
  /* zero cells: nothing to do, success */
  toy_init(&t, 0);
  ck_assert_int_eq(accq_dist_run(d, 0, toy_eval, toy_store, &t, NULL, NULL, &err), 0);
  ck_assert_int_eq(t.nstored, 0);
  accq_dist_finalize(d);
}
END_TEST

/* A run stopped at cell 7 (eval's EINTR) leaves cells 0..6 in the checkpoint;
 * the rerun computes only 7..19 and stores all 20 in order. */
START_TEST(test_resume) {
  const char *path = tmp_path("resume");
  accq_dist_options_t o;
  identity(&o, "a=1");
  o.checkpoint = path;
  toy_t t;
  toy_init(&t, 20);
  t.fail_at = 7;
  accq_err_t err;
  ck_assert_int_eq(accq_dist_run(NULL, 20, toy_eval, toy_store, &t, &o, NULL, &err), ACCQ_EINTR);
  ck_assert_int_eq(t.nstored, 0); /* nothing stored from an unfinished run */
  toy_init(&t, 20);
  accq_dist_t *d;
  int argc = 1;
  char *args[] = {"test", NULL}, **argv = args;
  ck_assert_int_eq(accq_dist_init(&argc, &argv, &d, &err), 0);
  ck_assert_int_eq(accq_dist_run(d, 20, toy_eval, toy_store, &t, &o, NULL, &err), 0);
  check_all_stored(&t);
  for (int c = 0; c < 20; c++) ck_assert_int_eq(t.evals[c], c < 7 ? 0 : 1);
  accq_dist_checkpoint_info_t info;
  accq_dist_checkpoint_info(d, &info);
  ck_assert_int_eq(info.resumed, 7);
  ck_assert_int_eq(info.created, 0);
  ck_assert_int_eq(info.dropped_bytes, 0);
  /* a third run computes nothing */
  toy_init(&t, 20);
  ck_assert_int_eq(accq_dist_run(d, 20, toy_eval, toy_store, &t, &o, NULL, &err), 0);
  check_all_stored(&t);
  for (int c = 0; c < 20; c++) ck_assert_int_eq(t.evals[c], 0);
  accq_dist_finalize(d);
  unlink(path);
}
END_TEST

static long file_size(const char *path) {
  struct stat sb;
  return stat(path, &sb) ? -1 : (long)sb.st_size;
}

/* A crash mid-write: the file cut inside the last record.  The reader keeps
 * the intact records, drops the torn bytes (truncating the file) and the
 * rerun recomputes only the torn cell. */
START_TEST(test_torn_record) {
  const char *path = tmp_path("torn");
  accq_dist_options_t o;
  identity(&o, "a=1");
  o.checkpoint = path;
  toy_t t;
  toy_init(&t, 10);
  t.fail_at = 5;
  accq_err_t err;
  ck_assert_int_eq(accq_dist_run(NULL, 10, toy_eval, toy_store, &t, &o, NULL, &err), ACCQ_EINTR);
  long full = file_size(path);
  /* each record: 16 head + 8 + 8 + (8 + 6 name) bytes + 64 checksum = 110 */
  ck_assert_int_eq(truncate(path, full - 30), 0);
  toy_init(&t, 10);
  accq_dist_t *d;
  int argc = 1;
  char *args[] = {"test", NULL}, **argv = args;
  ck_assert_int_eq(accq_dist_init(&argc, &argv, &d, &err), 0);
  ck_assert_int_eq(accq_dist_run(d, 10, toy_eval, toy_store, &t, &o, NULL, &err), 0);
  check_all_stored(&t);
  accq_dist_checkpoint_info_t info;
  accq_dist_checkpoint_info(d, &info);
  ck_assert_int_eq(info.resumed, 4);
  ck_assert_int_eq(info.dropped_bytes, 110 - 30);
  for (int c = 0; c < 10; c++) ck_assert_int_eq(t.evals[c], c < 4 ? 0 : 1);
  accq_dist_finalize(d);
  unlink(path);
}
END_TEST

/* A flipped byte inside a record's bytes: its checksum fails, it and what
 * follows are dropped and recomputed (never stored as a result). */
START_TEST(test_damaged_record) {
  const char *path = tmp_path("damaged");
  accq_dist_options_t o;
  identity(&o, "a=1");
  o.checkpoint = path;
  toy_t t;
  toy_init(&t, 6);
  accq_err_t err;
  ck_assert_int_eq(accq_dist_run(NULL, 6, toy_eval, toy_store, &t, &o, NULL, &err), 0);
  long full = file_size(path);
  FILE *f = fopen(path, "r+b");
  ck_assert_ptr_nonnull(f);
  /* record 4 of 6 (0-based 3) starts at full - 3 * 110; its double at +24 */
  fseek(f, full - 3 * 110 + 24, SEEK_SET);
  int ch = fgetc(f);
  fseek(f, full - 3 * 110 + 24, SEEK_SET);
  fputc(ch ^ 0x01, f);
  fclose(f);
  accq_dist_ckpt_t *ck;
  ck_assert_int_eq(accq_dist_ckpt_open(path, 6, &o, &ck, &err), 0);
  size_t n;
  for (int c = 0; c < 6; c++)
    ck_assert_msg((accq_dist_ckpt_get(ck, c, &n) != NULL) == (c < 3), "cell %d", c);
  accq_dist_checkpoint_info_t info;
  accq_dist_ckpt_info(ck, &info);
  ck_assert_int_eq(info.dropped_bytes, 3 * 110);
  accq_dist_ckpt_close(ck);
  ck_assert_int_eq(file_size(path), full - 3 * 110);
  unlink(path);
}
END_TEST

/* Another identity is refused with both sides named; so is another cell
 * count; a file that is not a checkpoint is never overwritten. */
START_TEST(test_refusals) {
  const char *path = tmp_path("refuse");
  accq_dist_options_t o, other;
  identity(&o, "a=1");
  identity(&other, "a=2");
  o.checkpoint = path;
  other.checkpoint = path;
  toy_t t;
  toy_init(&t, 4);
  accq_err_t err;
  ck_assert_int_eq(accq_dist_run(NULL, 4, toy_eval, toy_store, &t, &o, NULL, &err), 0);
  toy_init(&t, 4);
  int st = accq_dist_run(NULL, 4, toy_eval, toy_store, &t, &other, NULL, &err);
  ck_assert_int_eq(st, ACCQ_EUSAGE);
  ck_assert_int_eq(accq_status_exit_code(st), 2);
  ck_assert_msg(strstr(err.msg, "checkpoint was written by accq toy") &&
                    strstr(err.msg, "this run is accq toy"),
                "%s", err.msg);
  char want[32];
  snprintf(want, sizeof want, "options hash %.12s", o.options_hash);
  ck_assert_msg(strstr(err.msg, want), "%s", err.msg);
  snprintf(want, sizeof want, "options hash %.12s", other.options_hash);
  ck_assert_msg(strstr(err.msg, want), "%s", err.msg);
  ck_assert_int_eq(t.nstored, 0);
  ck_assert_int_eq(t.evals[0], 0);
  /* the same identity with another number of cells */
  toy_init(&t, 5);
  st = accq_dist_run(NULL, 5, toy_eval, toy_store, &t, &o, NULL, &err);
  ck_assert_int_eq(st, ACCQ_EUSAGE);
  ck_assert_msg(strstr(err.msg, "4 cells") && strstr(err.msg, "5 cells"), "%s", err.msg);
  unlink(path);
  /* not a checkpoint: refused, and the file is as it was */
  const char *text = "[system]\nscale = 1\n";
  FILE *f = fopen(path, "w");
  fputs(text, f);
  fclose(f);
  toy_init(&t, 4);
  st = accq_dist_run(NULL, 4, toy_eval, toy_store, &t, &o, NULL, &err);
  ck_assert_int_eq(st, ACCQ_EUSAGE);
  ck_assert_msg(strstr(err.msg, "not an accq checkpoint"), "%s", err.msg);
  ck_assert_int_eq(file_size(path), (long)strlen(text));
  unlink(path);
  /* the model text changes the identity too */
  accq_dist_options_t m2;
  accq_dist_options_init(&m2);
  accq_dist_identity(&m2, "toy", "[system]\nscale = 2\n", "a=1");
  ck_assert_str_eq(m2.options_hash, o.options_hash);
  ck_assert_str_ne(m2.model_hash, o.model_hash);
  ck_assert_str_ne(m2.identity, o.identity);
}
END_TEST

/* The interrupt flag: a serial checkpointed run stops before its next cell
 * with EINTR and every finished cell in the file. */
static int interrupting_eval(void *ctx, int c, void **bytes, size_t *len, accq_err_t *err) {
  if (c == 3) ck_assert_int_eq(accq_dist_interrupt(15), 1); /* as the handler would */
  return toy_eval(ctx, c, bytes, len, err);
}

START_TEST(test_interrupt) {
  const char *path = tmp_path("intr");
  accq_dist_options_t o;
  identity(&o, "a=1");
  o.checkpoint = path;
  toy_t t;
  toy_init(&t, 8);
  accq_err_t err;
  int st = accq_dist_run(NULL, 8, interrupting_eval, toy_store, &t, &o, NULL, &err);
  ck_assert_int_eq(st, ACCQ_EINTR);
  ck_assert_int_eq(accq_dist_interrupted(), 15);
  ck_assert_msg(strstr(err.msg, "4 of 8 cells"), "%s", err.msg);
  /* a second signal: the handler exits at once */
  ck_assert_int_eq(accq_dist_interrupt(15), 0);
  accq_dist_ckpt_t *ck;
  ck_assert_int_eq(accq_dist_ckpt_open(path, 8, &o, &ck, &err), 0);
  accq_dist_checkpoint_info_t info;
  accq_dist_ckpt_info(ck, &info);
  ck_assert_int_eq(info.resumed, 4);
  ck_assert_int_eq(info.dropped_bytes, 0);
  accq_dist_ckpt_close(ck);
  unlink(path);
}
END_TEST

int main(void) {
  Suite *s = suite_create("dist");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_buffer_exact);
  tcase_add_test(tc, test_serial_run);
  tcase_add_test(tc, test_resume);
  tcase_add_test(tc, test_torn_record);
  tcase_add_test(tc, test_damaged_record);
  tcase_add_test(tc, test_refusals);
  tcase_add_test(tc, test_interrupt);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
