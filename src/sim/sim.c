/* The event-driven simulator (SPEC 7); see include/accq/sim.h for the contract.
 *
 * Data structures (allocated per replication; the level arrays and the event
 * heap double when full, so nothing is allocated per event in steady state):
 *  - per type k, its servers' global ids in perm[off_k .. off_k + N_k), kept
 *    partitioned by level: level q occupies positions [start_k[q], start_k[q+1]),
 *    pos[s] is server s's position.  A server moving one level up or down swaps
 *    with the first/last server of its block and the block boundary moves by
 *    one: O(1).  A uniform server at (k, q) is perm[off_k + start_k[q] + U].
 *  - count_k[q] (the occupancy the policy reads) and top_k, exact.
 *  - one departure event per job in system in a 4-ary min-heap of
 *    (time, server, type) (the next arrival is kept apart).  FCFS with service drawn at dispatch makes a job's
 *    departure time max(now, last departure of its server) + S known at once,
 *    so the heap replaces per-server queues: memory O(N + jobs in system).
 *  - a log-linear histogram of response times (64 octaves around the smallest
 *    mean service time, 2^9 bins per octave: relative width <= 2e-3,
 *    linear interpolation inside a bin) for the percentiles.
 */
#include "accq/sim.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "accq/lp.h"

#define HIST_OCT 64
#define HIST_SUB_BITS 9
#define HIST_SUB (1 << HIST_SUB_BITS)
#define HIST_BINS (HIST_OCT * HIST_SUB)
#define PROGRESS_CHUNK 65536

typedef struct {
  double t;
  int s;
  int k;
} event_t;

typedef struct {
  accq_service_kind_t kind;
  double mean;      /* 1/mu */
  double p1;        /* hyperexp: probability of phase 1 */
  double mean1, mean2;
  double shape;     /* erlang: K */
  double scale;     /* erlang: mean / K */
  double zeta, sigma; /* lognormal */
} service_t;

typedef struct {
  int K, N, B;
  int Nk[ACCQ_MAX_TYPES], off[ACCQ_MAX_TYPES];
  double acc[ACCQ_MAX_TYPES];
  service_t svc[ACCQ_MAX_TYPES];
  int *lvl, *pos, *perm;
  double *last_dep;
  int *count[ACCQ_MAX_TYPES], *start[ACCQ_MAX_TYPES];
  int cap[ACCQ_MAX_TYPES], top[ACCQ_MAX_TYPES];
  event_t *heap;
  long long hn, hcap;
  accq_route_t *routes;
  int rcap;
  uint64_t *hist;
  double hist_ref;
  gsl_rng *rng, *rng_c;
} ws_t;

typedef struct {
  void (*fn)(double, void *);
  void *ctx;
  long long total;
  long long done;
} progress_t;

/* ---- small helpers ---- */

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/* Seed of stream `stream` (0 = system, 1 = correctness) of replication rep:
 * splitmix64 over (seed, rep, stream), so neighbouring seeds and replications
 * get unrelated mt19937 states. */
static unsigned long stream_seed(uint64_t seed, int rep, int stream) {
  uint64_t x = seed;
  uint64_t a = splitmix64(&x);
  x = a ^ ((uint64_t)(unsigned)rep * 0xD1B54A32D192ED03ULL);
  uint64_t b = splitmix64(&x);
  x = b ^ ((uint64_t)(unsigned)stream * 0x8CB92BA72F3D8DD7ULL);
  uint64_t c = splitmix64(&x);
  unsigned long s = (unsigned long)(c & 0xffffffffUL);
  return s ? s : 1UL;
}

void accq_sim_service_moments(const accq_type_t *t, double *mean, double *second) {
  double m = 1.0 / t->rate, c2;
  switch (t->service.kind) {
  case ACCQ_SERVICE_DET: c2 = 0; break;
  case ACCQ_SERVICE_ERLANG: c2 = 1.0 / t->service.param; break;
  case ACCQ_SERVICE_HYPEREXP:
  case ACCQ_SERVICE_LOGNORMAL: c2 = t->service.param; break;
  default: c2 = 1; break;
  }
  if (mean) *mean = m;
  if (second) *second = (1 + c2) * m * m;
}

static int service_setup(service_t *sv, const accq_type_t *t, accq_err_t *err) {
  memset(sv, 0, sizeof *sv);
  sv->kind = t->service.kind;
  sv->mean = 1.0 / t->rate;
  double c2 = t->service.param;
  switch (sv->kind) {
  case ACCQ_SERVICE_EXP:
  case ACCQ_SERVICE_DET: break;
  case ACCQ_SERVICE_ERLANG:
    if (!(c2 >= 1) || c2 != floor(c2))
      return accq_err_set(err, ACCQ_EINVAL,
                          "service of type '%s': erlang phases must be an integer >= 1 (got %g)",
                          t->name, c2);
    sv->shape = c2;
    sv->scale = sv->mean / c2;
    break;
  case ACCQ_SERVICE_HYPEREXP:
    /* balanced means: p1/mu1 = p2/mu2 = mean/2, SCV c2 */
    if (!(c2 >= 1) || !isfinite(c2))
      return accq_err_set(err, ACCQ_EINVAL,
                          "service of type '%s': hyperexp SCV must be >= 1 (got %g)", t->name, c2);
    sv->p1 = 0.5 * (1 + sqrt((c2 - 1) / (c2 + 1)));
    sv->mean1 = sv->mean / (2 * sv->p1);
    sv->mean2 = (sv->p1 < 1) ? sv->mean / (2 * (1 - sv->p1)) : sv->mean;
    break;
  case ACCQ_SERVICE_LOGNORMAL:
    if (!(c2 > 0) || !isfinite(c2))
      return accq_err_set(err, ACCQ_EINVAL,
                          "service of type '%s': lognormal SCV must be > 0 (got %g)", t->name, c2);
    sv->sigma = sqrt(log1p(c2));
    sv->zeta = log(sv->mean) - 0.5 * sv->sigma * sv->sigma;
    break;
  default:
    return accq_err_set(err, ACCQ_EINVAL, "service of type '%s': unknown kind %d", t->name,
                        (int)sv->kind);
  }
  return ACCQ_SUCCESS;
}

/* Exponential variates by Marsaglia and Tsang's ziggurat ("The Ziggurat
 * Method for Generating Random Variables", J. Stat. Software 5(8), 2000) with
 * 256 layers, fed by the replication's GSL generator: 98.9% of the draws cost
 * one 32-bit word, a table look-up and a multiply, where -log U (or GSL's
 * gsl_ran_exponential, which calls log1p) costs a logarithm; two exponentials
 * per job made the logarithm an eighth of the run time.  Unlike the paper, the
 * layer index (low 8 bits) and the abscissa (high 24 bits) come from disjoint
 * bits of the word, so they are independent.  The law is exact (the ziggurat
 * is a rejection method); tests/sim checks M/M/1 means and percentiles. */
static double zig_w[256], zig_f[256];
static uint32_t zig_k[256];

static pthread_once_t zig_once = PTHREAD_ONCE_INIT;

static void zig_init(void) {
  const double m1 = 16777216.0; /* 2^24 */
  double de = 7.697117470131487, te = de, ve = 3.949659822581572e-3;
  double q = ve / exp(-de);
  zig_k[0] = (uint32_t)((de / q) * m1);
  zig_k[1] = 0;
  zig_w[0] = q / m1;
  zig_w[255] = de / m1;
  zig_f[0] = 1.0;
  zig_f[255] = exp(-de);
  for (int i = 254; i >= 1; i--) {
    de = -log(ve / de + exp(-de));
    zig_k[i + 1] = (uint32_t)((de / te) * m1);
    te = de;
    zig_f[i] = exp(-de);
    zig_w[i] = de / m1;
  }
}

/* Standard exponential (mean 1).  mt19937's gsl_rng_get gives 32 random bits. */
static inline double zig_exp(gsl_rng *r) {
  for (;;) {
    uint32_t u = (uint32_t)gsl_rng_get(r);
    uint32_t iz = u & 255, jz = u >> 8;
    if (jz < zig_k[iz]) return jz * zig_w[iz];
    if (iz == 0) return 7.69711747013104972 - log(gsl_rng_uniform_pos(r));
    double x = jz * zig_w[iz];
    if (zig_f[iz] + gsl_rng_uniform(r) * (zig_f[iz - 1] - zig_f[iz]) < exp(-x)) return x;
  }
}

/* A uniform index in [0, n), exactly uniform, by Lemire's multiply-and-reject
 * ("Fast random integer generation in an interval", ACM TOMACS 29(1), 2019):
 * one 32-bit word and a multiplication, a division only in the rare rejection
 * zone (gsl_rng_uniform_int divides on every call). */
static inline int uniform_index(gsl_rng *r, uint32_t n) {
  uint64_t m = (uint64_t)(uint32_t)gsl_rng_get(r) * n;
  uint32_t l = (uint32_t)m;
  if (l < n) {
    uint32_t t = (uint32_t)(0u - n) % n;
    while (l < t) {
      m = (uint64_t)(uint32_t)gsl_rng_get(r) * n;
      l = (uint32_t)m;
    }
  }
  return (int)(m >> 32);
}

/* Exponential with the given mean. */
static inline double exp_draw(gsl_rng *r, double mean) { return mean * zig_exp(r); }

static inline double service_draw(const service_t *sv, gsl_rng *r) {
  switch (sv->kind) {
  case ACCQ_SERVICE_EXP: return exp_draw(r, sv->mean);
  case ACCQ_SERVICE_DET: return sv->mean;
  case ACCQ_SERVICE_ERLANG: return gsl_ran_gamma(r, sv->shape, sv->scale);
  case ACCQ_SERVICE_HYPEREXP:
    return exp_draw(r, gsl_rng_uniform(r) < sv->p1 ? sv->mean1 : sv->mean2);
  case ACCQ_SERVICE_LOGNORMAL: return gsl_ran_lognormal(r, sv->zeta, sv->sigma);
  }
  return sv->mean;
}

/* ---- heap of departures ----
 * A 4-ary min-heap (children of i at 4i+1..4i+4) whose sibling groups share one
 * 64-byte cache line, popped with Floyd's bottom-up method: the hole goes down
 * along the smallest children to a leaf, then the last element sifts up from
 * there (it usually belongs near the bottom), which halves the comparisons. */

static inline void heap_sift_up(event_t *h, long long i, event_t e) {
  while (i > 0) {
    long long p = (i - 1) >> 2;
    if (h[p].t <= e.t) break;
    h[i] = h[p];
    i = p;
  }
  h[i] = e;
}

static inline void heap_push(ws_t *w, double t, int s, int k) {
  event_t e = {t, s, k};
  heap_sift_up(w->heap, w->hn++, e);
}

static inline void heap_pop(ws_t *w) {
  event_t *h = w->heap;
  long long n = --w->hn;
  if (n == 0) return;
  long long i = 0;
  for (;;) {
    long long c = 4 * i + 1;
    if (c + 3 < n) {
      /* branch-free: the comparisons are unpredictable */
      long long a = c + (h[c + 1].t < h[c].t);
      long long b = c + 2 + (h[c + 3].t < h[c + 2].t);
      c = a + (b - a) * (h[b].t < h[a].t);
    } else if (c < n) {
      for (long long j = c + 1; j < n; j++)
        if (h[j].t < h[c].t) c = j;
    } else
      break;
    h[i] = h[c];
    i = c;
  }
  heap_sift_up(h, i, h[n]);
}

static int heap_reserve(ws_t *w, accq_err_t *err) {
  if (w->hn < w->hcap) return ACCQ_SUCCESS;
  long long nc = w->hcap ? 2 * w->hcap : 1024;
  /* 64-byte aligned block with 3 entries in front, so that h[4i+1..4i+4] is one line */
  void *blk = NULL;
  if (posix_memalign(&blk, 64, (size_t)(nc + 3) * sizeof(event_t)))
    return accq_err_set(err, ACCQ_ENOMEM, "simulator: no memory for %lld jobs in system", nc);
  event_t *h = (event_t *)blk + 3;
  if (w->heap) {
    memcpy(h, w->heap, (size_t)w->hn * sizeof *h);
    free(w->heap - 3);
  }
  w->heap = h;
  w->hcap = nc;
  return ACCQ_SUCCESS;
}

/* ---- occupancy ---- */

static int level_grow(ws_t *w, int k, accq_err_t *err) {
  int oc = w->cap[k], nc = 2 * oc;
  int *c = realloc(w->count[k], (size_t)nc * sizeof *c);
  if (!c) return accq_err_set(err, ACCQ_ENOMEM, "simulator: no memory for %d levels", nc);
  w->count[k] = c;
  int *st = realloc(w->start[k], (size_t)(nc + 1) * sizeof *st);
  if (!st) return accq_err_set(err, ACCQ_ENOMEM, "simulator: no memory for %d levels", nc);
  w->start[k] = st;
  for (int q = oc; q < nc; q++) c[q] = 0;
  for (int q = oc + 1; q <= nc; q++) st[q] = w->Nk[k];
  w->cap[k] = nc;
  return ACCQ_SUCCESS;
}

/* Server s of type k goes from level q to q+1 (caller ensured q+1 < cap). */
static inline void move_up(ws_t *w, int s, int k, int q) {
  int *perm = w->perm + w->off[k];
  int *st = w->start[k];
  int e = st[q + 1] - 1, p = w->pos[s];
  int o = perm[e];
  perm[e] = s;
  perm[p] = o;
  w->pos[o] = p;
  w->pos[s] = e;
  st[q + 1] = e;
  w->count[k][q]--;
  w->count[k][q + 1]++;
  w->lvl[s] = q + 1;
  if (q + 1 > w->top[k]) w->top[k] = q + 1;
}

static inline void move_down(ws_t *w, int s, int k, int q) {
  int *perm = w->perm + w->off[k];
  int *st = w->start[k];
  int b = st[q], p = w->pos[s];
  int o = perm[b];
  perm[b] = s;
  perm[p] = o;
  w->pos[o] = p;
  w->pos[s] = b;
  st[q] = b + 1;
  w->count[k][q]--;
  w->count[k][q - 1]++;
  w->lvl[s] = q - 1;
  if (q == w->top[k] && w->count[k][q] == 0) w->top[k] = q - 1;
}

/* ---- histogram ---- */

static inline void hist_add(ws_t *w, double t) {
  double x = t * w->hist_ref;
  int idx;
  if (!(x >= 0x1p-32))
    idx = 0;
  else if (x >= 0x1p32)
    idx = HIST_BINS - 1;
  else {
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    int e = (int)((bits >> 52) & 0x7ff) - 1023;
    int m = (int)((bits >> (52 - HIST_SUB_BITS)) & (HIST_SUB - 1));
    idx = (e + 32) * HIST_SUB + m;
  }
  w->hist[idx]++;
}

/* Quantiles p[0..n-1] (ascending) of the histogram holding `total` values. */
static void hist_quantiles(const ws_t *w, long long total, const double *p, double *out, int n) {
  for (int i = 0; i < n; i++) out[i] = NAN;
  if (total <= 0) return;
  double cum = 0;
  int j = 0;
  for (int b = 0; b < HIST_BINS && j < n; b++) {
    double c = (double)w->hist[b];
    if (c == 0) continue;
    while (j < n && cum + c >= p[j] * (double)total) {
      double frac = (p[j] * (double)total - cum) / c;
      if (frac < 0) frac = 0;
      int e = b / HIST_SUB - 32, m = b % HIST_SUB;
      double lo = ldexp(1.0 + (double)m / HIST_SUB, e);
      double width = ldexp(1.0 / HIST_SUB, e);
      out[j] = (lo + frac * width) / w->hist_ref;
      j++;
    }
    cum += c;
  }
}

/* ---- workspace ---- */

static void ws_free(ws_t *w) {
  if (!w) return;
  free(w->lvl);
  free(w->pos);
  free(w->perm);
  free(w->last_dep);
  for (int k = 0; k < ACCQ_MAX_TYPES; k++) {
    free(w->count[k]);
    free(w->start[k]);
  }
  if (w->heap) free(w->heap - 3);
  free(w->routes);
  free(w->hist);
  if (w->rng) gsl_rng_free(w->rng);
  if (w->rng_c) gsl_rng_free(w->rng_c);
}

static int ws_init(ws_t *w, const accq_model_t *m, const accq_sim_options_t *opt, int rep,
                   accq_err_t *err) {
  memset(w, 0, sizeof *w);
  int st = ACCQ_SUCCESS;
  w->K = m->ntypes;
  w->B = opt->buffer;
  long long N = 0;
  double max_rate = 0;
  for (int k = 0; k < w->K; k++) {
    long long nk = (long long)m->scale * m->types[k].servers;
    if (nk > 0x3fffffff)
      return accq_err_set(err, ACCQ_ETOOBIG, "simulator: %lld servers of type '%s' is too many",
                          nk, m->types[k].name);
    w->Nk[k] = (int)nk;
    w->off[k] = (int)N;
    N += nk;
    w->acc[k] = m->types[k].accuracy;
    if ((st = service_setup(&w->svc[k], &m->types[k], err))) return st;
    if (m->types[k].rate > max_rate) max_rate = m->types[k].rate;
  }
  if (N > 0x3fffffff)
    return accq_err_set(err, ACCQ_ETOOBIG, "simulator: %lld servers is too many", N);
  w->N = (int)N;
  w->hist_ref = max_rate; /* times are measured in units of the smallest mean service */
  w->lvl = calloc((size_t)N, sizeof *w->lvl);
  w->pos = malloc((size_t)N * sizeof *w->pos);
  w->perm = malloc((size_t)N * sizeof *w->perm);
  w->last_dep = calloc((size_t)N, sizeof *w->last_dep);
  w->hist = calloc(HIST_BINS, sizeof *w->hist);
  if (!w->lvl || !w->pos || !w->perm || !w->last_dep || !w->hist) goto nomem;
  for (int k = 0; k < w->K; k++) {
    for (int i = 0; i < w->Nk[k]; i++) {
      w->perm[w->off[k] + i] = w->off[k] + i;
      w->pos[w->off[k] + i] = i;
    }
    int cap = w->B > 0 ? w->B + 1 : 16;
    w->cap[k] = cap;
    w->count[k] = calloc((size_t)cap, sizeof(int));
    w->start[k] = malloc((size_t)(cap + 1) * sizeof(int));
    if (!w->count[k] || !w->start[k]) goto nomem;
    w->count[k][0] = w->Nk[k];
    w->start[k][0] = 0;
    for (int q = 1; q <= cap; q++) w->start[k][q] = w->Nk[k];
    w->top[k] = 0;
  }
  if ((st = heap_reserve(w, err))) return st;
  w->rng = gsl_rng_alloc(gsl_rng_mt19937); /* 32-bit words: min 0, max 2^32 - 1 */
  if (!w->rng) goto nomem;
  gsl_rng_set(w->rng, stream_seed(opt->seed, rep, 0));
  if (opt->sample_correctness) {
    w->rng_c = gsl_rng_alloc(gsl_rng_mt19937);
    if (!w->rng_c) goto nomem;
    gsl_rng_set(w->rng_c, stream_seed(opt->seed, rep, 1));
  }
  return ACCQ_SUCCESS;
nomem:
  return accq_err_set(err, ACCQ_ENOMEM, "simulator: no memory for %lld servers", N);
}

/* ---- one replication ---- */

static void progress_tick(progress_t *pg, long long n) {
  if (!pg || !pg->fn) return;
#ifdef _OPENMP
  long long done;
#pragma omp atomic capture
  done = pg->done += n;
  if (omp_get_thread_num() == 0) pg->fn((double)done / (double)pg->total, pg->ctx);
#else
  pg->done += n;
  pg->fn((double)pg->done / (double)pg->total, pg->ctx);
#endif
}

static int run_rep(const accq_model_t *m, const accq_policy_t *pol,
                   const accq_sim_options_t *opt, int rep, accq_sim_rep_t *out,
                   progress_t *pg, accq_err_t *err) {
  ws_t w;
  int st = ws_init(&w, m, opt, rep, err);
  if (st) goto cleanup;

  const int K = w.K, B = w.B;
  const long long W = opt->warmup, J = opt->jobs, end = W + J;
  const double lambda = (double)m->scale * m->arrival_rate, mean_ia = 1.0 / lambda;
  int servers[ACCQ_MAX_TYPES];
  for (int k = 0; k < K; k++) servers[k] = w.Nk[k];
  accq_occ_t occ;
  occ.ntypes = K;
  occ.servers = servers;
  occ.count = (const int *const *)w.count;
  occ.top = w.top;
  occ.buffer = B;
  w.rcap = accq_policy_max_routes(pol, &occ);
  if (w.rcap < 16) w.rcap = 16;
  w.routes = malloc((size_t)w.rcap * sizeof *w.routes);
  if (!w.routes) {
    st = accq_err_set(err, ACCQ_ENOMEM, "simulator: no memory for %d routes", w.rcap);
    goto cleanup;
  }

  /* counters of the tagged jobs and time integrals over the window */
  long long adm[ACCQ_MAX_TYPES] = {0}, lost = 0, waited = 0, correct = 0, events = 0;
  long long njobs = 0, max_jobs = 0, nfull = 0;
  double sum_t = 0;
  double a_busy[ACCQ_MAX_TYPES] = {0}, t_busy[ACCQ_MAX_TYPES] = {0};
  double a_jobs = 0, t_jobs = 0, a_full = 0, t_full = 0, t_start = 0;
  gsl_rng *r = w.rng;

  double t_arr = exp_draw(r, mean_ia);
  long long narr = 0;
  for (;;) {
    if (w.hn > 0 && w.heap[0].t <= t_arr) {
      /* departure */
      double t = w.heap[0].t;
      int s = w.heap[0].s, k = w.heap[0].k;
      heap_pop(&w);
      int q = w.lvl[s];
      a_jobs += (double)njobs * (t - t_jobs);
      t_jobs = t;
      njobs--;
      if (q == 1) {
        a_busy[k] += (double)(w.Nk[k] - w.count[k][0]) * (t - t_busy[k]);
        t_busy[k] = t;
      }
      if (B > 0 && q == B) {
        a_full += (nfull > 0) * (t - t_full);
        t_full = t;
        nfull--;
      }
      move_down(&w, s, k, q);
      events++;
      continue;
    }
    /* arrival */
    double t = t_arr;
    if (narr == W) {
      t_start = t;
      a_jobs = 0;
      t_jobs = t;
      a_full = 0;
      t_full = t;
      for (int k = 0; k < K; k++) {
        a_busy[k] = 0;
        t_busy[k] = t;
      }
    }
    if (narr == end) break;
    const int tagged = narr >= W;
    narr++;
    events++;
    t_arr = t + exp_draw(r, mean_ia);
    if ((narr & (PROGRESS_CHUNK - 1)) == 0) progress_tick(pg, PROGRESS_CHUNK);

    int nr = 0;
    for (;;) {
      st = accq_policy_dispatch(pol, &occ, w.routes, w.rcap, &nr);
      if (st != ACCQ_ERANGE) break;
      int nc = 2 * w.rcap;
      accq_route_t *nrt = realloc(w.routes, (size_t)nc * sizeof *nrt);
      if (!nrt) {
        st = accq_err_set(err, ACCQ_ENOMEM, "simulator: no memory for %d routes", nc);
        goto cleanup;
      }
      w.routes = nrt;
      w.rcap = nc;
    }
    if (st) {
      accq_err_set(err, st, "policy '%s': dispatch failed (%s)", accq_policy_name(pol),
                   accq_strerror(st));
      goto cleanup;
    }
    int ri = 0;
    if (nr > 1) {
      double u = gsl_rng_uniform(r), c = 0;
      for (ri = 0; ri < nr - 1; ri++) {
        c += w.routes[ri].prob;
        if (u < c) break;
      }
    } else if (nr < 1) {
      st = accq_err_set(err, ACCQ_ENUMERIC, "policy '%s' returned no route",
                        accq_policy_name(pol));
      goto cleanup;
    }
    const int k = w.routes[ri].type;
    int q = w.routes[ri].level, s;
    if (k < 0 || k >= K) {
      st = accq_err_set(err, ACCQ_ENUMERIC, "policy '%s' routed to type %d (of %d)",
                        accq_policy_name(pol), k, K);
      goto cleanup;
    }
    if (q == ACCQ_LEVEL_ANY) {
      s = w.off[k] + uniform_index(r, (uint32_t)w.Nk[k]);
      q = w.lvl[s];
    } else {
      if (q < 0 || q >= w.cap[k] || w.count[k][q] <= 0) {
        st = accq_err_set(err, ACCQ_ENUMERIC,
                          "policy '%s' routed to type '%s' level %d, which holds no server",
                          accq_policy_name(pol), m->types[k].name, q);
        goto cleanup;
      }
      int i = w.start[k][q] + uniform_index(r, (uint32_t)w.count[k][q]);
      s = w.perm[w.off[k] + i];
    }
    if (B > 0 && q >= B) {
      lost += tagged;
      continue;
    }
    double dep = (q == 0 ? t : w.last_dep[s]) + service_draw(&w.svc[k], r);
    w.last_dep[s] = dep;
    if (tagged) {
      double resp = dep - t;
      adm[k]++;
      sum_t += resp;
      waited += (q > 0);
      hist_add(&w, resp);
      if (w.rng_c) correct += gsl_rng_uniform(w.rng_c) < w.acc[k];
    }
    if (q + 1 >= w.cap[k] && (st = level_grow(&w, k, err))) goto cleanup;
    if (w.hn >= w.hcap && (st = heap_reserve(&w, err))) goto cleanup;
    a_jobs += (double)njobs * (t - t_jobs);
    t_jobs = t;
    njobs++;
    if (njobs > max_jobs) max_jobs = njobs;
    if (q == 0) {
      a_busy[k] += (double)(w.Nk[k] - w.count[k][0]) * (t - t_busy[k]);
      t_busy[k] = t;
    }
    if (B > 0 && q + 1 == B) {
      a_full += (nfull > 0) * (t - t_full);
      t_full = t;
      nfull++;
    }
    move_up(&w, s, k, q);
    heap_push(&w, dep, s, k);
  }
  progress_tick(pg, narr & (PROGRESS_CHUNK - 1));

  /* close the window at the arrival that follows the last tagged one */
  {
    double t_end = t_arr, win = t_end - t_start;
    /* the loop broke at arrival number W + J before drawing the next
     * interarrival time, so t_arr is that arrival's time */
    a_jobs += (double)njobs * (t_end - t_jobs);
    a_full += (nfull > 0) * (t_end - t_full);
    long long admitted = 0;
    double acc_sum = 0;
    memset(out, 0, sizeof *out);
    for (int k = 0; k < K; k++) {
      a_busy[k] += (double)(w.Nk[k] - w.count[k][0]) * (t_end - t_busy[k]);
      admitted += adm[k];
      acc_sum += (double)adm[k] * w.acc[k];
      out->throughput[k] = (double)adm[k] / win;
      out->utilization[k] = a_busy[k] / win / (double)w.Nk[k];
    }
    out->window = win;
    out->arrivals = J;
    out->admitted = admitted;
    out->mean_response_time = admitted ? sum_t / (double)admitted : NAN;
    out->mean_jobs = a_jobs / win;
    out->accuracy = admitted ? acc_sum / (double)admitted : NAN;
    out->correctness = (w.rng_c && admitted) ? (double)correct / (double)admitted : NAN;
    out->loss_probability = (double)lost / (double)J;
    out->p_wait = admitted ? (double)waited / (double)admitted : NAN;
    out->throughput_total = (double)admitted / win;
    out->boundary_mass = B > 0 ? a_full / win : 0.0;
    static const double ps[4] = {0.50, 0.90, 0.95, 0.99};
    double qv[4];
    hist_quantiles(&w, admitted, ps, qv, 4);
    out->p50 = qv[0];
    out->p90 = qv[1];
    out->p95 = qv[2];
    out->p99 = qv[3];
    out->gap = NAN;
    out->events = events;
    out->max_jobs_in_system = max_jobs;
  }
  st = ACCQ_SUCCESS;
cleanup:
  ws_free(&w);
  return st;
}

/* ---- public ---- */

void accq_sim_options_init(accq_sim_options_t *opt) {
  memset(opt, 0, sizeof *opt);
  opt->replications = 10;
  opt->jobs = 100000;
  opt->warmup = -1;
  opt->seed = 1;
  opt->threads = 1;
  opt->buffer = 0;
}

static int check_options(const accq_model_t *m, const accq_sim_options_t *opt,
                         accq_sim_options_t *o, accq_model_t *mm, accq_err_t *err) {
  pthread_once(&zig_once, zig_init);
  *o = *opt;
  if (o->replications < 1)
    return accq_err_set(err, ACCQ_EINVAL, "replications must be >= 1 (got %d)", o->replications);
  if (o->jobs < 1)
    return accq_err_set(err, ACCQ_EINVAL, "jobs must be >= 1 (got %lld)", o->jobs);
  if (o->warmup < 0) o->warmup = o->jobs / 10;
  if (o->buffer < 0)
    return accq_err_set(err, ACCQ_EINVAL, "buffer must be >= 1 or 0 for infinite (got %d)",
                        o->buffer);
  if (o->threads < 0)
    return accq_err_set(err, ACCQ_EINVAL, "threads must be >= 0 (got %d)", o->threads);
  *mm = *m;
  if (mm->lambda_mode == ACCQ_LAMBDA_LOAD) {
    int st = accq_lp_model_resolve(mm, err);
    if (st) return st;
  }
  if (!(mm->arrival_rate > 0) || !isfinite(mm->arrival_rate))
    return accq_err_set(err, ACCQ_EINVAL, "arrival rate must be > 0 (got %g)", mm->arrival_rate);
  if (mm->ntypes < 1 || mm->ntypes > ACCQ_MAX_TYPES)
    return accq_err_set(err, ACCQ_EINVAL, "model has %d types", mm->ntypes);
  if (mm->scale < 1) return accq_err_set(err, ACCQ_EINVAL, "scale must be >= 1 (got %d)", mm->scale);
  return ACCQ_SUCCESS;
}

int accq_sim_run_replication(const accq_model_t *m, const accq_policy_t *pol,
                             const accq_sim_options_t *opt, int rep, accq_sim_rep_t *out,
                             accq_err_t *err) {
  accq_sim_options_t o;
  accq_model_t mm;
  int st = check_options(m, opt, &o, &mm, err);
  if (st) return st;
  return run_rep(&mm, pol, &o, rep, out, NULL, err);
}

accq_estimate_t accq_sim_estimate(const double *x, int n) {
  accq_estimate_t e = {NAN, NAN, NAN};
  if (n < 1) return e;
  double s = 0;
  for (int i = 0; i < n; i++) s += x[i];
  e.mean = s / n;
  if (n < 2) return e;
  double v = 0;
  for (int i = 0; i < n; i++) v += (x[i] - e.mean) * (x[i] - e.mean);
  v /= (n - 1);
  e.se = sqrt(v / n);
  e.ci95 = gsl_cdf_tdist_Pinv(0.975, n - 1) * e.se;
  return e;
}

/* t_lp at admitted rate x (per unit scale) of model m; NaN when infeasible. */
static double t_lp_at(const accq_model_t *m, double x) {
  accq_model_t mm = *m;
  mm.lambda_mode = ACCQ_LAMBDA_RATE;
  mm.arrival_rate = x;
  accq_lp_problem_t p;
  accq_lp_result_t r;
  if (!(x > 0) || accq_lp_problem_from_model(&p, &mm, 0.0)) return NAN;
  if (accq_lp_solve(&p, &r, NULL) || r.status != ACCQ_LP_OPTIMAL) return NAN;
  return r.t_lp;
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int accq_sim_run(const accq_model_t *m, const accq_policy_t *pol,
                 const accq_sim_options_t *opt, accq_sim_result_t *res,
                 accq_sim_rep_t *reps_out, accq_err_t *err) {
  accq_sim_options_t o;
  accq_model_t mm;
  int st = check_options(m, opt, &o, &mm, err);
  if (st) return st;
  const int R = o.replications;
  accq_sim_rep_t *reps = reps_out ? reps_out : calloc((size_t)R, sizeof *reps);
  int *status = calloc((size_t)R, sizeof *status);
  accq_err_t *errs = calloc((size_t)R, sizeof *errs);
  double *x = calloc((size_t)R, sizeof *x);
  if (!reps || !status || !errs || !x) {
    st = accq_err_set(err, ACCQ_ENOMEM, "simulator: no memory for %d replications", R);
    goto cleanup;
  }
  progress_t pg = {o.progress, o.progress_ctx, (long long)R * (o.warmup + o.jobs), 0};
  double t0 = now_seconds();
#ifdef _OPENMP
  int nth = o.threads > 0 ? o.threads : omp_get_max_threads();
  if (nth > R) nth = R;
#pragma omp parallel for schedule(dynamic, 1) num_threads(nth)
#endif
  for (int r = 0; r < R; r++) status[r] = run_rep(&mm, pol, &o, r, &reps[r], &pg, &errs[r]);
  double secs = now_seconds() - t0;
  for (int r = 0; r < R; r++)
    if (status[r]) {
      st = status[r];
      accq_err_set(err, st, "replication %d: %s", r, errs[r].msg);
      goto cleanup;
    }

  memset(res, 0, sizeof *res);
  res->ntypes = mm.ntypes;
  res->replications = R;
  res->jobs = o.jobs;
  res->warmup = o.warmup;
  res->seed = o.seed;
  res->buffer = o.buffer;
  res->scale = mm.scale;
  res->lambda = (double)mm.scale * mm.arrival_rate;
  res->t_lp = t_lp_at(&mm, mm.arrival_rate);
  /* gap against the bound at each replication's admitted rate X_r = Lambda (1 - P_loss,r)
   * (SPEC 8: t_lp(X)); with no loss this is the bound at the offered Lambda. */
  for (int r = 0; r < R; r++) {
    double pl = reps[r].loss_probability;
    double tl = pl > 0 ? t_lp_at(&mm, mm.arrival_rate * (1 - pl)) : res->t_lp;
    reps[r].gap = reps[r].mean_response_time / tl - 1;
  }
#define EST(field)                                       \
  do {                                                   \
    for (int r = 0; r < R; r++) x[r] = reps[r].field;    \
    res->field = accq_sim_estimate(x, R);                \
  } while (0)
  EST(mean_response_time);
  EST(mean_jobs);
  EST(accuracy);
  EST(correctness);
  EST(loss_probability);
  EST(p_wait);
  EST(throughput_total);
  EST(boundary_mass);
  EST(gap);
  EST(p50);
  EST(p90);
  EST(p95);
  EST(p99);
  for (int k = 0; k < mm.ntypes; k++) {
    EST(throughput[k]);
    EST(utilization[k]);
  }
#undef EST
  res->events = 0;
  for (int r = 0; r < R; r++) res->events += reps[r].events;
  res->seconds = secs;
  st = ACCQ_SUCCESS;
cleanup:
  if (!reps_out) free(reps);
  free(status);
  free(errs);
  free(x);
  return st;
}
