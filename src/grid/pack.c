/* Cells as bytes (accq/grid.h, serialization of accq/dist.h): what a rank or
 * a checkpoint hands to the process that prints.  Every field is written
 * explicitly (doubles as their bits, strings with their length), never a
 * struct image: no padding bytes, and the same bytes on every rank. */
#include <string.h>

#include "accq/dist.h"
#include "grid/grid_internal.h"

static void put_measures(accq_dist_buf_t *b, const accq_measures_t *m) {
  const double head[] = {m->lambda, m->throughput_total, m->loss_probability, m->mean_jobs,
                         m->mean_response_time, m->accuracy, m->p_wait};
  for (size_t i = 0; i < sizeof head / sizeof head[0]; i++) accq_dist_put_f64(b, head[i]);
  for (int k = 0; k < ACCQ_MAX_TYPES; k++) accq_dist_put_f64(b, m->throughput[k]);
  for (int k = 0; k < ACCQ_MAX_TYPES; k++) accq_dist_put_f64(b, m->utilization[k]);
  const double tail[] = {m->p50, m->p90, m->p95, m->p99, m->boundary_mass, m->t_lp, m->gap,
                         m->flow_balance_error, m->little_tail_error, m->tail_integral};
  for (size_t i = 0; i < sizeof tail / sizeof tail[0]; i++) accq_dist_put_f64(b, tail[i]);
}

static void get_measures(accq_dist_reader_t *r, accq_measures_t *m) {
  double *head[] = {&m->lambda, &m->throughput_total, &m->loss_probability, &m->mean_jobs,
                    &m->mean_response_time, &m->accuracy, &m->p_wait};
  for (size_t i = 0; i < sizeof head / sizeof head[0]; i++) *head[i] = accq_dist_get_f64(r);
  for (int k = 0; k < ACCQ_MAX_TYPES; k++) m->throughput[k] = accq_dist_get_f64(r);
  for (int k = 0; k < ACCQ_MAX_TYPES; k++) m->utilization[k] = accq_dist_get_f64(r);
  double *tail[] = {&m->p50, &m->p90, &m->p95, &m->p99, &m->boundary_mass, &m->t_lp, &m->gap,
                    &m->flow_balance_error, &m->little_tail_error, &m->tail_integral};
  for (size_t i = 0; i < sizeof tail / sizeof tail[0]; i++) *tail[i] = accq_dist_get_f64(r);
}

static void put_warnings(accq_dist_buf_t *b, int n, char w[][ACCQ_CELL_WARNING_MAX]) {
  accq_dist_put_i64(b, n);
  for (int i = 0; i < n; i++) accq_dist_put_str(b, w[i]);
}

static void get_warnings(accq_dist_reader_t *r, int *n, char w[][ACCQ_CELL_WARNING_MAX]) {
  int64_t k = accq_dist_get_i64(r);
  if (k < 0 || k > ACCQ_CELL_MAX_WARNINGS) {
    r->failed = 1;
    k = 0;
  }
  *n = (int)k;
  for (int i = 0; i < *n; i++) accq_dist_get_str(r, w[i], ACCQ_CELL_WARNING_MAX);
}

int accq_sweep_grid_pack(const accq_sweep_grid_t *g, int c, void **bytes, size_t *len,
                         accq_err_t *err) {
  int n = accq_sweep_grid_ncells(g), w = accq_sweep_grid_npolicies(g) + 1;
  if (c < 0 || c >= n) return accq_err_set(err, ACCQ_EINVAL, "sweep grid: cell %d of %d", c, n);
  int i = c / w, j = c % w;
  accq_dist_buf_t b;
  accq_dist_buf_init(&b);
  if (j == 0) {
    const accq_sweep_bound_t *bd = accq_sweep_grid_bound(g, i);
    accq_dist_put_i64(&b, bd->status);
    accq_dist_put_str(&b, bd->reason);
    accq_dist_put_f64(&b, bd->t_lp);
    accq_dist_put_i64(&b, bd->finite_buffer);
  } else {
    const accq_sweep_cell_t *x = accq_sweep_grid_cell(g, i, j - 1);
    accq_dist_put_i64(&b, x->status);
    accq_dist_put_str(&b, x->reason);
    const int64_t ints[] = {x->simulated, x->buffer, x->finite_buffer, x->states};
    for (int k = 0; k < 4; k++) accq_dist_put_i64(&b, ints[k]);
    accq_dist_put_f64(&b, x->boundary_mass);
    put_measures(&b, &x->m);
    accq_dist_put_f64(&b, x->ci95);
    put_warnings(&b, x->nwarnings, (char(*)[ACCQ_CELL_WARNING_MAX])x->warnings);
  }
  return accq_dist_buf_take(&b, bytes, len, err);
}

static int bad_status(accq_dist_reader_t *r, int64_t s) {
  if (s < 0 || s >= ACCQ_CELL_NSTATUS) r->failed = 1;
  return r->failed ? 0 : (int)s;
}

int accq_sweep_grid_unpack(accq_sweep_grid_t *g, int c, const void *bytes, size_t len,
                           accq_err_t *err) {
  int n = accq_sweep_grid_ncells(g), w = accq_sweep_grid_npolicies(g) + 1;
  if (c < 0 || c >= n) return accq_err_set(err, ACCQ_EINVAL, "sweep grid: cell %d of %d", c, n);
  accq_dist_reader_t r;
  accq_dist_reader_init(&r, bytes, len);
  char what[64];
  snprintf(what, sizeof what, "sweep cell %d", c);
  accq_sweep_cell_t x; /* ~5 KB (the reason, the warnings) */
  accq_sweep_bound_t bd;
  memset(&bd, 0, sizeof bd);
  int st;
  if (c % w == 0) {
    bd.status = (accq_cell_status_t)bad_status(&r, accq_dist_get_i64(&r));
    accq_dist_get_str(&r, bd.reason, sizeof bd.reason);
    bd.t_lp = accq_dist_get_f64(&r);
    bd.finite_buffer = (int)accq_dist_get_i64(&r);
    if ((st = accq_dist_reader_end(&r, what, err))) return st;
    return accq_sweep_grid_store(g, c, &bd, NULL, err);
  }
  memset(&x, 0, sizeof x);
  x.status = (accq_cell_status_t)bad_status(&r, accq_dist_get_i64(&r));
  accq_dist_get_str(&r, x.reason, sizeof x.reason);
  x.simulated = (int)accq_dist_get_i64(&r);
  x.buffer = (int)accq_dist_get_i64(&r);
  x.finite_buffer = (int)accq_dist_get_i64(&r);
  x.states = accq_dist_get_i64(&r);
  x.boundary_mass = accq_dist_get_f64(&r);
  get_measures(&r, &x.m);
  x.ci95 = accq_dist_get_f64(&r);
  get_warnings(&r, &x.nwarnings, x.warnings);
  if ((st = accq_dist_reader_end(&r, what, err))) return st;
  return accq_sweep_grid_store(g, c, NULL, &x, err);
}

int accq_converge_point_pack(const accq_converge_point_t *p, void **bytes, size_t *len,
                             accq_err_t *err) {
  accq_dist_buf_t b;
  accq_dist_buf_init(&b);
  const int64_t ints[] = {p->scale, p->status, p->exact, p->buffer, p->states};
  for (int k = 0; k < 5; k++) accq_dist_put_i64(&b, ints[k]);
  accq_dist_put_str(&b, p->reason);
  const double d[] = {p->boundary_mass, p->mean_response_time, p->ci95, p->accuracy,
                      p->t_lp, p->gap, p->gap_lo, p->gap_hi};
  for (int k = 0; k < 8; k++) accq_dist_put_f64(&b, d[k]);
  put_warnings(&b, p->nwarnings, (char(*)[ACCQ_CELL_WARNING_MAX])p->warnings);
  return accq_dist_buf_take(&b, bytes, len, err);
}

int accq_converge_point_unpack(accq_converge_point_t *p, const void *bytes, size_t len,
                               accq_err_t *err) {
  accq_dist_reader_t r;
  accq_dist_reader_init(&r, bytes, len);
  memset(p, 0, sizeof *p);
  p->scale = (int)accq_dist_get_i64(&r);
  p->status = (accq_cell_status_t)bad_status(&r, accq_dist_get_i64(&r));
  p->exact = (int)accq_dist_get_i64(&r);
  p->buffer = (int)accq_dist_get_i64(&r);
  p->states = accq_dist_get_i64(&r);
  accq_dist_get_str(&r, p->reason, sizeof p->reason);
  double *d[] = {&p->boundary_mass, &p->mean_response_time, &p->ci95, &p->accuracy,
                 &p->t_lp, &p->gap, &p->gap_lo, &p->gap_hi};
  for (int k = 0; k < 8; k++) *d[k] = accq_dist_get_f64(&r);
  get_warnings(&r, &p->nwarnings, p->warnings);
  return accq_dist_reader_end(&r, "convergence point", err);
}
