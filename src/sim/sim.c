/* The event-driven simulator (docs/simulator.md); see include/accq/sim.h for the contract.
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
#include "accq/clock.h"
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

#include "accq/arrival_sampler.h"
#include "accq/arrivals.h"
#include "accq/lp.h"
#include "sim/sim_internal.h"

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

double accq_i_sim_exp1(gsl_rng *r) {
  pthread_once(&zig_once, zig_init);
  return zig_exp(r);
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

static inline int hist_bin(const ws_t *w, double t) {
  double x = t * w->hist_ref;
  if (!(x >= 0x1p-32)) return 0;
  if (x >= 0x1p32) return HIST_BINS - 1;
  uint64_t bits;
  memcpy(&bits, &x, sizeof bits);
  int e = (int)((bits >> 52) & 0x7ff) - 1023;
  int m = (int)((bits >> (52 - HIST_SUB_BITS)) & (HIST_SUB - 1));
  return (e + 32) * HIST_SUB + m;
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
  if (omp_get_thread_num() == 0) pg->fn(fmin(1.0, (double)done / (double)pg->total), pg->ctx);
#else
  pg->done += n;
  pg->fn(fmin(1.0, (double)pg->done / (double)pg->total), pg->ctx);
#endif
}

/* Checkpoints over the measured window (the MSER truncation and the trend
 * tests act on them): checkpoint g is taken at the tagged arrival number
 * floor(g J / NCHECK), g = 0..NCHECK (NCHECK: the arrival after the last
 * tagged one, which closes the window).  Truncation is allowed up to g =
 * NCHECK/2. */
#define NCHECK 512

typedef struct {
  double t, a_jobs, a_full, sum_t;
  long long admitted, lost, waited, correct, njobs;
  double a_busy[ACCQ_MAX_TYPES];
  long long adm[ACCQ_MAX_TYPES];
} snap_t;

/* What every replication of one run does (computed once by plan_run). */
typedef struct {
  long long jobs;        /* measured window J */
  long long warmup;      /* fixed warm-up, or -1: adaptive */
  long long wmin, wmax;  /* adaptive warm-up bounds (arrivals) */
  int stationary;        /* start from the exact stationary law (random-lp, exp) */
  double rho[ACCQ_MAX_TYPES]; /* per-server load of each type (stationary start) */
  double load;
  const accq_arrivals_plan_t *arrivals; /* NULL: Poisson at m Lambda (the fast path) */
  double est_tau;        /* rjiq:est: the estimator's time constant (0: none) */
  double window;         /* > 0: per-window counters of this width (time series) */
} plan_t;

static inline long long cp_index(int g, long long J) {
  return (long long)(((__int128)g * J) / NCHECK);
}

/* Time-average of the number in system and mean response time between two
 * checkpoints. */
static double snap_l(const snap_t *a, const snap_t *b) {
  double d = b->t - a->t;
  return d > 0 ? (b->a_jobs - a->a_jobs) / d : NAN;
}
static double snap_et(const snap_t *a, const snap_t *b) {
  long long n = b->admitted - a->admitted;
  return n > 0 ? (b->sum_t - a->sum_t) / (double)n : NAN;
}

/* Places the stationary queue lengths of random-lp with exponential service
 * at time 0: server of type k holds q jobs with probability proportional to
 * rho_k^q (q <= B when finite), drawn by inversion; each job's service is a
 * fresh exponential (memoryless: the residual of the one in service too). */
static int stationary_start(ws_t *w, const plan_t *pl, long long *njobs, long long *nfull,
                            accq_err_t *err) {
  int st;
  gsl_rng *r = w->rng;
  for (int k = 0; k < w->K; k++) {
    double rho = pl->rho[k];
    if (!(rho > 0)) continue;
    double lr = log(rho);
    double tail = w->B > 0 ? pow(rho, w->B + 1) : 0; /* mass beyond B */
    for (int i = 0; i < w->Nk[k]; i++) {
      int s = w->off[k] + i;
      long long q;
      double u = gsl_rng_uniform_pos(r);
      if (w->B > 0 && fabs(lr) < 1e-12) {
        q = (long long)(u * (w->B + 1));
      } else {
        /* P(Q >= q) = (rho^q - tail) / (1 - tail) */
        double x = log(tail + u * (1 - tail)) / lr;
        q = x < 9e15 ? (long long)floor(x) : (long long)9e15;
      }
      if (w->B > 0 && q > w->B) q = w->B;
      if (q > 0x3fffffff)
        return accq_err_set(err, ACCQ_ENUMERIC, "simulator: stationary start drew %lld jobs", q);
      for (long long j = 0; j < q; j++) {
        int lv = w->lvl[s];
        if (lv + 1 >= w->cap[k] && (st = level_grow(w, k, err))) return st;
        if (w->hn >= w->hcap && (st = heap_reserve(w, err))) return st;
        double dep = w->last_dep[s] + exp_draw(r, w->svc[k].mean);
        w->last_dep[s] = dep;
        move_up(w, s, k, lv);
        heap_push(w, dep, s, k);
        (*njobs)++;
      }
      if (w->B > 0 && q == w->B) (*nfull)++;
    }
  }
  return ACCQ_SUCCESS;
}

/* The per-window counters of the time series (docs/simulator.md, "Time-resolved
 * measures"): every arrival of the run from time 0, by the window of its
 * arrival time. */
typedef struct {
  long long arr, adm;
  double sum_t, sum_a, sum_a2;
} win_t;

/* The running state of one replication (run_rep and its steps). */
typedef struct {
  ws_t w;
  accq_occ_t occ;
  int servers[ACCQ_MAX_TYPES];
  const accq_policy_t *pol;   /* the shared policy, or `own` */
  accq_policy_t *own;         /* rjiq:est: this replication's copy, re-split as it learns */
  snap_t *snap;
  double *bsum, *blk_int, *blk_dur;
  uint16_t *bins;
  long long W, bsize, half, nblk_max;
  /* counters of the tagged jobs and time integrals from time 0 */
  long long adm[ACCQ_MAX_TYPES], admitted, lost, waited, correct;
  long long events, njobs, max_jobs, nfull, narr;
  double sum_t;
  double a_busy[ACCQ_MAX_TYPES], t_busy[ACCQ_MAX_TYPES];
  double a_jobs, t_jobs, a_full, t_full;
  int measuring, cp, nblk, capped;
  double blk_a0, blk_t0;
  double mean_ia;             /* Poisson: 1 / (m Lambda) */
  accq_arrivals_state_t as;   /* other processes: the sampler's state */
  /* rjiq:est: exponentially weighted arrival count (an estimate of m Lambda)
   * at time est_t, the rate the split was last solved at, re-splits */
  double est, est_t, est_used;
  long long resplits;
  /* time series */
  win_t *win;
  long long nwin, wcap;
  double t_last;
} rep_t;

static void rep_free(rep_t *s) {
  free(s->snap);
  free(s->bsum);
  free(s->bins);
  free(s->blk_int);
  free(s->blk_dur);
  free(s->win);
  accq_policy_free(s->own);
  ws_free(&s->w);
}

static int rep_init(rep_t *s, const accq_model_t *m, const accq_policy_t *pol, const plan_t *pl,
                    const accq_sim_options_t *opt, int rep, accq_err_t *err) {
  memset(s, 0, sizeof *s);
  int st = ws_init(&s->w, m, opt, rep, err);
  if (st) return st;
  const long long J = pl->jobs;
  s->pol = pol;
  if (pl->est_tau > 0) {
    if ((st = accq_policy_clone(pol, &s->own, err))) return st;
    s->pol = s->own;
    s->est = s->est_used = (double)m->scale * m->arrival_rate;
  }
  s->W = pl->warmup; /* -1 until the adaptive warm-up ends */
  s->bsize = pl->wmin >= 4 ? pl->wmin / 4 : 1;
  s->half = cp_index(NCHECK / 2, J);
  s->mean_ia = 1.0 / ((double)m->scale * m->arrival_rate);
  for (int k = 0; k < s->w.K; k++) s->servers[k] = s->w.Nk[k];
  s->occ.ntypes = s->w.K;
  s->occ.servers = s->servers;
  s->occ.count = (const int *const *)s->w.count;
  s->occ.top = s->w.top;
  s->occ.buffer = s->w.B;
  s->w.rcap = accq_policy_max_routes(s->pol, &s->occ);
  if (s->w.rcap < 16) s->w.rcap = 16;
  s->w.routes = malloc((size_t)s->w.rcap * sizeof *s->w.routes);
  s->nblk_max = s->W < 0 ? pl->wmax / s->bsize + 3 : 1;
  s->snap = malloc((NCHECK + 1) * sizeof *s->snap);
  s->bsum = calloc((size_t)(J / 5 + 1), sizeof *s->bsum);
  s->bins = malloc((size_t)(s->half + 1) * sizeof *s->bins);
  s->blk_int = malloc((size_t)s->nblk_max * sizeof *s->blk_int);
  s->blk_dur = malloc((size_t)s->nblk_max * sizeof *s->blk_dur);
  if (!s->w.routes || !s->snap || !s->bsum || !s->bins || !s->blk_int || !s->blk_dur)
    return accq_err_set(err, ACCQ_ENOMEM, "simulator: no memory for a window of %lld jobs", J);
  return ACCQ_SUCCESS;
}

static void on_departure(rep_t *s, int B) {
  ws_t *w = &s->w;
  double t = w->heap[0].t;
  int sv = w->heap[0].s, k = w->heap[0].k;
  heap_pop(w);
  int q = w->lvl[sv];
  s->a_jobs += (double)s->njobs * (t - s->t_jobs);
  s->t_jobs = t;
  s->njobs--;
  if (q == 1) {
    s->a_busy[k] += (double)(w->Nk[k] - w->count[k][0]) * (t - s->t_busy[k]);
    s->t_busy[k] = t;
  }
  if (B > 0 && q == B) {
    s->a_full += (s->nfull > 0) * (t - s->t_full);
    s->t_full = t;
    s->nfull--;
  }
  move_down(w, sv, k, q);
  s->events++;
}

/* At an arrival before the measured window: is it time to start measuring?
 * Closes a warm-up block every bsize arrivals; from wmin on, stops once the
 * time-average number in system over the last half of the blocks is no
 * larger than over the quarter before it (the upward drift has stopped). */
static int warmup_done(rep_t *s, const plan_t *pl, double t) {
  if (s->W >= 0) return s->narr == s->W;
  if (pl->wmin == 0) return 1;
  if (!(s->narr > 0 && s->narr % s->bsize == 0)) return 0;
  s->a_jobs += (double)s->njobs * (t - s->t_jobs);
  s->t_jobs = t;
  if (s->nblk < s->nblk_max) {
    s->blk_int[s->nblk] = s->a_jobs - s->blk_a0;
    s->blk_dur[s->nblk] = t - s->blk_t0;
    s->nblk++;
  }
  s->blk_a0 = s->a_jobs;
  s->blk_t0 = t;
  if (s->narr < pl->wmin) return 0;
  /* rise = L(last half) - L(quarter before); noise = its standard error from
   * the spread of those blocks' means (as if independent: positively
   * correlated blocks make it smaller, so the warm-up errs on the long side) */
  const int nblk = s->nblk;
  double il = 0, dl = 0, ie = 0, de = 0, sx = 0, sxx = 0;
  int nl = nblk - nblk / 2, ne = nblk / 2 - nblk / 4;
  for (int b = nblk / 2; b < nblk; b++) il += s->blk_int[b], dl += s->blk_dur[b];
  for (int b = nblk / 4; b < nblk / 2; b++) ie += s->blk_int[b], de += s->blk_dur[b];
  for (int b = nblk / 4; b < nblk; b++) {
    double x = s->blk_dur[b] > 0 ? s->blk_int[b] / s->blk_dur[b] : 0;
    sx += x;
    sxx += x * x;
  }
  int nb = nl + ne;
  double var = nb > 1 ? (sxx - sx * sx / nb) / (nb - 1) : 0;
  double noise = sqrt((var > 0 ? var : 0) * (1.0 / nl + 1.0 / ne));
  if (!(de > 0 && dl > 0) || il / dl - ie / de <= noise) return 1;
  if (s->narr >= pl->wmax || nblk >= s->nblk_max) return s->capped = 1;
  return 0;
}

/* Brings the time integrals up to t and records every counter in checkpoint cp. */
static void take_checkpoint(rep_t *s, double t, int B) {
  snap_t *c = &s->snap[s->cp++];
  s->a_jobs += (double)s->njobs * (t - s->t_jobs);
  s->t_jobs = t;
  if (B > 0) {
    s->a_full += (s->nfull > 0) * (t - s->t_full);
    s->t_full = t;
  }
  c->t = t;
  c->a_jobs = s->a_jobs;
  c->a_full = s->a_full;
  c->sum_t = s->sum_t;
  c->admitted = s->admitted;
  c->lost = s->lost;
  c->waited = s->waited;
  c->correct = s->correct;
  c->njobs = s->njobs;
  for (int k = 0; k < s->w.K; k++) {
    s->a_busy[k] += (double)(s->w.Nk[k] - s->w.count[k][0]) * (t - s->t_busy[k]);
    s->t_busy[k] = t;
    c->a_busy[k] = s->a_busy[k];
    c->adm[k] = s->adm[k];
  }
}

/* rjiq:est: the arrival at t updates the exponentially weighted count
 * est <- est e^{-(t - t')/tau} + 1/tau (mean m Lambda at a constant rate,
 * relative standard deviation 1/sqrt(2 m Lambda tau)); the split is re-solved
 * at est when est has moved from the rate of the current split by more than
 * max(1%, 3 / sqrt(2 est_used tau)): three standard deviations of the
 * estimate at a constant rate, so that noise rarely moves the split. */
static int estimate_rate(rep_t *s, const accq_model_t *m, const plan_t *pl, double t,
                         accq_err_t *err) {
  const double tau = pl->est_tau;
  s->est = s->est * exp(-(t - s->est_t) / tau) + 1.0 / tau;
  s->est_t = t;
  double h = fmax(0.01, 3.0 / sqrt(2.0 * s->est_used * tau));
  if (!(fabs(s->est - s->est_used) > h * s->est_used)) return ACCQ_SUCCESS;
  int st = accq_policy_resplit(s->own, m, s->est / (double)m->scale, NULL, err);
  if (st) return st;
  s->est_used = s->est;
  s->resplits++;
  return ACCQ_SUCCESS;
}

static int window_slot(rep_t *s, const plan_t *pl, double t, accq_err_t *err) {
  long long i = (long long)floor(t / pl->window);
  if (i >= s->wcap) {
    long long nc = s->wcap ? 2 * s->wcap : 256;
    while (nc <= i) nc *= 2;
    win_t *nw = realloc(s->win, (size_t)nc * sizeof *nw);
    if (!nw) return accq_err_set(err, ACCQ_ENOMEM, "simulator: no memory for %lld windows", nc);
    memset(nw + s->wcap, 0, (size_t)(nc - s->wcap) * sizeof *nw);
    s->win = nw;
    s->wcap = nc;
  }
  if (i + 1 > s->nwin) s->nwin = i + 1;
  return ACCQ_SUCCESS;
}

/* Dispatches the arrival at t (tagged: in the measured window, index ti). */
static int dispatch(rep_t *s, const accq_model_t *m, const plan_t *pl, double t, int tagged,
                    long long ti, accq_err_t *err) {
  ws_t *w = &s->w;
  gsl_rng *r = w->rng;
  const int K = w->K, B = w->B;
  int nr = 0, st;
  for (;;) {
    st = accq_policy_dispatch(s->pol, &s->occ, w->routes, w->rcap, &nr);
    if (st != ACCQ_ERANGE) break;
    int nc = 2 * w->rcap;
    accq_route_t *nrt = realloc(w->routes, (size_t)nc * sizeof *nrt);
    if (!nrt) return accq_err_set(err, ACCQ_ENOMEM, "simulator: no memory for %d routes", nc);
    w->routes = nrt;
    w->rcap = nc;
  }
  if (st)
    return accq_err_set(err, st, "policy '%s': dispatch failed (%s)", accq_policy_name(s->pol),
                        accq_strerror(st));
  int ri = 0;
  if (nr > 1) {
    double u = gsl_rng_uniform(r), c = 0;
    for (ri = 0; ri < nr - 1; ri++) {
      c += w->routes[ri].prob;
      if (u < c) break;
    }
  } else if (nr < 1) {
    return accq_err_set(err, ACCQ_ENUMERIC, "policy '%s' returned no route",
                        accq_policy_name(s->pol));
  }
  const int k = w->routes[ri].type;
  int q = w->routes[ri].level, sv;
  if (k < 0 || k >= K)
    return accq_err_set(err, ACCQ_ENUMERIC, "policy '%s' routed to type %d (of %d)",
                        accq_policy_name(s->pol), k, K);
  if (q == ACCQ_LEVEL_ANY) {
    sv = w->off[k] + uniform_index(r, (uint32_t)w->Nk[k]);
    q = w->lvl[sv];
  } else {
    if (q < 0 || q >= w->cap[k] || w->count[k][q] <= 0)
      return accq_err_set(err, ACCQ_ENUMERIC,
                          "policy '%s' routed to type '%s' level %d, which holds no server",
                          accq_policy_name(s->pol), m->types[k].name, q);
    int i = w->start[k][q] + uniform_index(r, (uint32_t)w->count[k][q]);
    sv = w->perm[w->off[k] + i];
  }
  win_t *wn = NULL;
  if (pl->window > 0) {
    if ((st = window_slot(s, pl, t, err))) return st;
    wn = &s->win[(long long)floor(t / pl->window)];
    wn->arr++;
  }
  if (B > 0 && q >= B) {
    s->lost += tagged;
    return ACCQ_SUCCESS;
  }
  double dep = (q == 0 ? t : w->last_dep[sv]) + service_draw(&w->svc[k], r);
  w->last_dep[sv] = dep;
  if (wn) {
    wn->adm++;
    wn->sum_t += dep - t;
    wn->sum_a += w->acc[k];
    wn->sum_a2 += w->acc[k] * w->acc[k];
  }
  if (tagged) {
    double resp = dep - t;
    int bin = hist_bin(w, resp);
    w->hist[bin]++;
    if (ti < s->half) s->bins[s->admitted] = (uint16_t)bin;
    s->bsum[s->admitted / 5] += resp;
    s->adm[k]++;
    s->admitted++;
    s->sum_t += resp;
    s->waited += (q > 0);
    if (w->rng_c) s->correct += gsl_rng_uniform(w->rng_c) < w->acc[k];
  }
  if (q + 1 >= w->cap[k] && (st = level_grow(w, k, err))) return st;
  if (w->hn >= w->hcap && (st = heap_reserve(w, err))) return st;
  s->a_jobs += (double)s->njobs * (t - s->t_jobs);
  s->t_jobs = t;
  s->njobs++;
  if (s->njobs > s->max_jobs) s->max_jobs = s->njobs;
  if (q == 0) {
    s->a_busy[k] += (double)(w->Nk[k] - w->count[k][0]) * (t - s->t_busy[k]);
    s->t_busy[k] = t;
  }
  if (B > 0 && q + 1 == B) {
    s->a_full += (s->nfull > 0) * (t - s->t_full);
    s->t_full = t;
    s->nfull++;
  }
  move_up(w, sv, k, q);
  heap_push(w, dep, sv, k);
  return ACCQ_SUCCESS;
}

/* The measures of the replication from its checkpoints (see sim.h). */
static void finish_rep(rep_t *s, const plan_t *pl, const accq_sim_options_t *opt,
                       accq_sim_rep_t *out) {
  ws_t *w = &s->w;
  const int K = w->K, B = w->B;
  const long long J = pl->jobs;
  const snap_t *snap = s->snap;
  /* MSER-5 on the batch means of 5 admitted tagged response times: the
   * truncation point d* over d <= n/2, rounded up to a checkpoint (at most
   * NCHECK/2); a minimum over (almost) the whole window that lies beyond its
   * half says the window is too short to shed the start's bias. */
  long long n = s->admitted / 5, gcut = 0;
  for (long long j = 0; j < n; j++) s->bsum[j] /= 5;
  if (n >= 2) {
    long long d = accq_sim_mser(s->bsum, n, n / 2);
    /* A replication started in its exact stationary law has no start bias
     * to remove: there MSER-5 is a diagnostic only.  Truncating anyway
     * adds the rule's own downward bias on skewed output (it prefers to cut
     * an early stretch of long response times, which lowers the variance):
     * measured -0.18% at 100 servers, load 0.5, where the 95% interval is
     * +-0.75% wide, and 15 of 20 intervals covering. */
    if (!pl->stationary && opt->mser)
      while (gcut < NCHECK / 2 && snap[gcut].admitted < 5 * d) gcut++;
    if (n >= 20) out->mser_late = accq_sim_mser(s->bsum, n, n - n / 10 - 1) > n / 2;
  }
  const snap_t *a = &snap[gcut], *e = &snap[NCHECK], *mid = &snap[(gcut + NCHECK) / 2];
  /* drop the truncated jobs from the histogram */
  for (long long j = 0; j < a->admitted; j++) w->hist[s->bins[j]]--;
  double win = e->t - a->t;
  long long nadm = e->admitted - a->admitted;
  long long narrw = J - cp_index((int)gcut, J);
  double acc_sum = 0;
  for (int k = 0; k < K; k++) {
    long long ak = e->adm[k] - a->adm[k];
    acc_sum += (double)ak * w->acc[k];
    out->throughput[k] = (double)ak / win;
    out->utilization[k] = (e->a_busy[k] - a->a_busy[k]) / win / (double)w->Nk[k];
  }
  out->window = win;
  out->arrivals = narrw;
  out->admitted = nadm;
  out->mean_response_time = nadm ? (e->sum_t - a->sum_t) / (double)nadm : NAN;
  out->mean_jobs = (e->a_jobs - a->a_jobs) / win;
  out->accuracy = nadm ? acc_sum / (double)nadm : NAN;
  out->correctness = (w->rng_c && nadm) ? (double)(e->correct - a->correct) / (double)nadm : NAN;
  out->loss_probability = narrw ? (double)(e->lost - a->lost) / (double)narrw : NAN;
  out->p_wait = nadm ? (double)(e->waited - a->waited) / (double)nadm : NAN;
  out->throughput_total = (double)nadm / win;
  out->boundary_mass = B > 0 ? (e->a_full - a->a_full) / win : 0.0;
  static const double ps[4] = {0.50, 0.90, 0.95, 0.99};
  double qv[4];
  hist_quantiles(w, nadm, ps, qv, 4);
  out->p50 = qv[0];
  out->p90 = qv[1];
  out->p95 = qv[2];
  out->p99 = qv[3];
  out->gap = NAN;
  out->events = s->events;
  out->max_jobs_in_system = s->max_jobs;
  out->warmup = s->W;
  out->truncated = J - narrw;
  out->warmup_capped = s->capped;
  out->trend_t = snap_et(mid, e) - snap_et(a, mid);
  out->trend_l = snap_l(mid, e) - snap_l(a, mid);
  out->growth = nadm ? (double)(e->njobs - a->njobs) / (double)nadm : NAN;
  out->growth_first = mid->admitted > a->admitted
                          ? (double)(mid->njobs - a->njobs) / (double)(mid->admitted - a->admitted)
                          : NAN;
  out->growth_second = e->admitted > mid->admitted
                           ? (double)(e->njobs - mid->njobs) / (double)(e->admitted - mid->admitted)
                           : NAN;
  out->resplits = s->resplits;
  out->end_time = s->t_last;
}

/* One replication: warm-up, measured window of pl->jobs tagged arrivals, and
 * (pl->window > 0) the per-window counters, handed to *series (caller frees). */
static int run_rep(const accq_model_t *m, const accq_policy_t *pol, const plan_t *pl,
                   const accq_sim_options_t *opt, int rep, accq_sim_rep_t *out,
                   progress_t *pg, win_t **series, long long *nseries, accq_err_t *err) {
  rep_t s;
  int st = rep_init(&s, m, pol, pl, opt, rep, err);
  if (st) goto cleanup;
  const int B = s.w.B;
  const long long J = pl->jobs;
  gsl_rng *r = s.w.rng;
  const accq_arrivals_plan_t *ap = pl->arrivals;
  memset(out, 0, sizeof *out);
  if (ap) accq_arrivals_start(ap, &s.as, r);

  if (pl->stationary &&
      (st = stationary_start(&s.w, pl, &s.njobs, &s.nfull, err)))
    goto cleanup;
  s.max_jobs = s.njobs;

  /* From a stationary start the first arrival comes at time 0: a state drawn
   * from the stationary law pi is what an arrival sees (PASTA), and the queue
   * lengths at arrival epochs form a Markov chain whose stationary law is pi,
   * so every arrival then sees pi.  The first arrival after an Exp(Lambda)
   * gap instead would close the interarrival interval straddling time 0,
   * which is length-biased (inspection paradox): it sees queues drained for
   * longer than a typical gap (measured on an M/M/1 at rho 1/2: the first job's
   * mean response time 1.50 instead of 2). */
  double t_arr = pl->stationary ? 0.0
                 : ap           ? accq_arrivals_next(ap, &s.as, 0.0, r)
                                : exp_draw(r, s.mean_ia);
  for (;;) {
    if (s.w.hn > 0 && s.w.heap[0].t <= t_arr) {
      on_departure(&s, B);
      continue;
    }
    /* arrival */
    double t = t_arr;
    if (!s.measuring && warmup_done(&s, pl, t)) {
      s.measuring = 1;
      s.W = s.narr;
    }
    if (s.measuring) {
      long long i = s.narr - s.W;
      while (s.cp <= NCHECK && cp_index(s.cp, J) == i) take_checkpoint(&s, t, B);
      if (i == J) break;
    }
    const int tagged = s.measuring;
    const long long ti = s.narr - s.W; /* tagged index when tagged */
    s.narr++;
    s.events++;
    s.t_last = t;
    t_arr = ap ? accq_arrivals_next(ap, &s.as, t, r) : t + exp_draw(r, s.mean_ia);
    if ((s.narr & (PROGRESS_CHUNK - 1)) == 0) progress_tick(pg, PROGRESS_CHUNK);
    if (s.own && (st = estimate_rate(&s, m, pl, t, err))) goto cleanup;
    if ((st = dispatch(&s, m, pl, t, tagged, ti, err))) goto cleanup;
  }
  progress_tick(pg, s.narr & (PROGRESS_CHUNK - 1));
  finish_rep(&s, pl, opt, out);
  if (series) {
    *series = s.win;
    *nseries = s.nwin;
    s.win = NULL;
  }
  st = ACCQ_SUCCESS;
cleanup:
  rep_free(&s);
  return st;
}

/* ---- public ---- */

_Static_assert(HIST_BINS <= 65536, "histogram bin indices are stored as uint16_t");

void accq_sim_options_init(accq_sim_options_t *opt) {
  memset(opt, 0, sizeof *opt);
  opt->replications = 10;
  opt->jobs = -1;
  opt->warmup = -1;
  opt->seed = 1;
  opt->threads = 1;
  opt->buffer = 0;
  opt->mser = 1;
}

long long accq_sim_mser(const double *z, long long n, long long dmax) {
  if (n < 2) return 0;
  if (dmax > n - 2) dmax = n - 2;
  if (dmax < 0) dmax = 0;
  /* suffix sums of z - c (c the overall mean, against cancellation):
   * S(d) = sum (y - ybar_d)^2 = sum y^2 - (sum y)^2 / (n - d) */
  double c = 0;
  for (long long i = 0; i < n; i++) c += z[i];
  c /= (double)n;
  double sy = 0, syy = 0, best = INFINITY;
  long long arg = 0;
  for (long long i = n - 1; i >= 0; i--) {
    double y = z[i] - c;
    sy += y;
    syy += y * y;
    if (i <= dmax) {
      double m = (double)(n - i);
      double ss = syy - sy * sy / m;
      if (ss < 0) ss = 0;
      double v = ss / (m * m);
      if (v <= best) { /* scanning downwards: <= keeps the first d on ties */
        best = v;
        arg = i;
      }
    }
  }
  return arg;
}

/* Usable capacity and offered load (see accq_sim_stability). */
static void policy_load(const accq_model_t *m, const accq_policy_t *pol, double *load,
                        int *worst_type, double *offered, double *capacity, const char **kind) {
  const double *p = accq_policy_split(pol);
  const double lam = (double)m->scale * m->arrival_rate;
  *worst_type = -1;
  if (p && accq_policy_knows_lambda(pol)) {
    *load = 0;
    for (int k = 0; k < m->ntypes; k++) {
      double cap = (double)m->scale * m->types[k].servers * m->types[k].rate;
      double x = lam * p[k], l = x / cap;
      if (x > 0 && (*worst_type < 0 || l > *load)) {
        *load = l;
        *worst_type = k;
        *offered = x;
        *capacity = cap;
      }
    }
    return;
  }
  int acc_only = accq_policy_accurate_only(pol);
  double cap = 0;
  for (int k = 0; k < m->ntypes; k++)
    if (!acc_only || m->types[k].accuracy >= m->accuracy_target)
      cap += (double)m->scale * m->types[k].servers * m->types[k].rate;
  *kind = acc_only ? "the capacity of the accurate types (a_k >= a*)" : "the total capacity";
  /* a policy that meets a* by construction (pop, accurate-jiq) cannot serve
   * more than the LP capacity Lambda_max(a*): beyond it no split of the
   * arrivals meets a* within the capacities */
  if (accq_policy_meets_target(pol)) {
    accq_lp_problem_t pr;
    if (!accq_lp_problem_from_model(&pr, m, 0.0)) {
      double lm = (double)m->scale * accq_lp_lambda_max(&pr);
      if (isfinite(lm) && lm < cap) {
        cap = lm;
        *kind = "the LP capacity m Lambda_max(a*) (the most any rule meeting a* can serve)";
      }
    }
  }
  *offered = lam;
  *capacity = cap;
  *load = cap > 0 ? lam / cap : INFINITY;
}

static int stability(const accq_model_t *m, const accq_policy_t *pol, int buffer, double *load,
                     accq_err_t *err) {
  int wt;
  double x = 0, cap = 0;
  const char *kind = "";
  policy_load(m, pol, load, &wt, &x, &cap, &kind);
  if (buffer > 0 || *load < 1 - 1e-12) return ACCQ_SUCCESS;
  if (wt >= 0)
    return accq_err_set(err, ACCQ_EUNSTABLE,
                        "policy '%s' is unstable: its split sends m Lambda p_k = %.10g jobs per "
                        "unit time to type '%s', whose capacity is m n_k mu_k = %.10g (load "
                        "%.6g >= 1); the number in system grows without bound and no mean "
                        "exists (lower the arrival rate, or simulate a finite --buffer)",
                        accq_policy_name(pol), x, m->types[wt].name, cap, *load);
  return accq_err_set(err, ACCQ_EUNSTABLE,
                      "policy '%s' is unstable: the offered rate m Lambda = %.10g is at or "
                      "beyond %s, %.10g (load %.6g >= 1); the number in system "
                      "grows without bound and no mean exists (lower the arrival rate, or "
                      "simulate a finite --buffer)",
                      accq_policy_name(pol), x, kind, cap, *load);
}

static int check_options(const accq_model_t *m, const accq_sim_options_t *opt,
                         accq_sim_options_t *o, accq_model_t *mm, accq_err_t *err) {
  pthread_once(&zig_once, zig_init);
  *o = *opt;
  if (o->replications < 1)
    return accq_err_set(err, ACCQ_EINVAL, "replications must be >= 1 (got %d)", o->replications);
  if (o->jobs == 0 || o->jobs < -1)
    return accq_err_set(err, ACCQ_EINVAL, "jobs must be >= 1, or -1 for the default (got %lld)",
                        o->jobs);
  if (o->warmup < -1)
    return accq_err_set(err, ACCQ_EINVAL,
                        "warmup must be >= 0, or -1 for the adaptive default (got %lld)",
                        o->warmup);
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

/* The default window: 20 arrivals per server (at least 1e5), times a load
 * factor f = min(4, max(1, 0.2/(1 - rho))) at the policy's load rho, damped
 * by the system size: 1 + (f - 1) min(1, 200/N).  A queue's relaxation time
 * grows like 1/(1 - rho)^2, and a window of few relaxation times gives
 * right-skewed replication means whose t interval under-covers: at 48
 * servers and rho = 0.95 the plain window holds about 3 relaxation times of
 * the busiest server, and seeds 1..9 gave 7 of 9 intervals covering, 9 of 9
 * with the factor 4.  A replication mean also averages over the servers,
 * which makes it normal by itself when there are many, so the factor fades
 * with N: 1.6 at 1,000 servers and rho = 0.95, 1.06 at 10,000, which keeps
 * the cost of a default run at 1,000 servers within 2x of the former fixed
 * 1.1e5 arrivals.  Measured (test_sim_coverage_rlp, 20 seeds): random-lp at
 * 10,000 servers and rho = 0.95 covers 19 of 20; at 1,000 servers 16 of 20
 * with the factor 1.6 and 19 of 20 with 4; at 100 servers (factor 4) 19 of
 * 20.  Rounded up to a multiple of 1,000. */
static long long default_jobs(const accq_model_t *m, double rho) {
  long long N = 0;
  for (int k = 0; k < m->ntypes; k++) N += (long long)m->scale * m->types[k].servers;
  double f = rho < 1 ? 0.2 / (1 - rho) : 4;
  if (!(f > 1)) f = 1;
  if (f > 4) f = 4;
  f = 1 + (f - 1) * fmin(1.0, 200.0 / (double)N);
  long long base = 100000 > 20 * N ? 100000 : 20 * N;
  return 1000 * (long long)ceil((double)base * f / 1000 - 1e-9);
}

/* Stability in the long run (m resolved): the policy against the long-run
 * arrival rate m Lambda-bar of the model's arrival process (for Poisson, m
 * Lambda), rjiq:est with its split re-solved at Lambda-bar (where its
 * estimate settles), stale rjiq with the split of the model's Lambda.  *lr
 * receives m at the rate Lambda-bar; *ap (when not NULL) the sampler plan,
 * NULL for Poisson. */
static int long_run_stability(const accq_model_t *m, const accq_policy_t *pol, int buffer,
                              double *load, accq_model_t *lr, accq_arrivals_plan_t **ap,
                              accq_err_t *err) {
  accq_arrivals_plan_t *a = NULL;
  accq_policy_t *own = NULL;
  int st = ACCQ_SUCCESS;
  *lr = *m;
  if (ap) *ap = NULL;
  if (m->arrivals.kind != ACCQ_ARRIVALS_POISSON) {
    if ((st = accq_arrivals_plan_alloc(&a, &m->arrivals, m->arrival_rate, m->scale, err)))
      return st;
    lr->arrival_rate = accq_arrivals_mean_rate(a) / (double)m->scale;
  }
  if (accq_policy_est_tau(pol) > 0) {
    if (!(st = accq_policy_clone(pol, &own, err)))
      st = accq_policy_resplit(own, lr, lr->arrival_rate, NULL, err);
  }
  if (!st) st = stability(lr, own ? own : pol, buffer, load, err);
  accq_policy_free(own);
  if (st || !ap)
    accq_arrivals_plan_free(a);
  else
    *ap = a;
  return st;
}

long long accq_sim_jobs(const accq_model_t *m, const accq_policy_t *pol,
                        const accq_sim_options_t *opt) {
  if (opt->jobs > 0) return opt->jobs;
  accq_model_t mm = *m, lr;
  double rho = 0;
  if (mm.lambda_mode == ACCQ_LAMBDA_LOAD && accq_lp_model_resolve(&mm, NULL)) return -1;
  if (long_run_stability(&mm, pol, opt->buffer, &rho, &lr, NULL, NULL) && opt->buffer == 0)
    return -1;
  return default_jobs(&lr, rho);
}

/* Stability, start and run length of a run (see sim.h). */
static int plan_run(const accq_model_t *m, const accq_policy_t *pol, const accq_sim_options_t *o,
                    double window, plan_t *pl, accq_err_t *err) {
  memset(pl, 0, sizeof *pl);
  accq_model_t lr;
  accq_arrivals_plan_t *ap = NULL;
  int st = long_run_stability(m, pol, o->buffer, &pl->load, &lr, &ap, err);
  if (st) return st;
  pl->arrivals = ap;
  pl->est_tau = accq_policy_est_tau(pol);
  pl->window = window;
  long long N = 0;
  for (int k = 0; k < m->ntypes; k++) N += (long long)m->scale * m->types[k].servers;
  pl->jobs = o->jobs > 0 ? o->jobs : default_jobs(&lr, pl->load);
  pl->warmup = o->warmup;
  /* random-lp with exponential service: every server is an independent
   * M/M/1 (M/M/1/B) at load rho_k = Lambda p_k / (n_k mu_k) (Poisson
   * thinning), so the product of geometric queue lengths is the exact
   * stationary law and no warm-up is needed */
  const double *p = accq_policy_split(pol);
  if (accq_policy_kind(pol) == ACCQ_POLICY_RANDOM_LP && p && !o->empty_start &&
      (!ap || accq_arrivals_is_poisson(ap))) {
    int ok = 1;
    for (int k = 0; k < m->ntypes; k++) {
      pl->rho[k] = m->arrival_rate * p[k] / (m->types[k].servers * m->types[k].rate);
      if (p[k] > 0 && m->types[k].service.kind != ACCQ_SERVICE_EXP) ok = 0;
      if (o->buffer == 0 && !(pl->rho[k] < 1)) ok = 0;
    }
    pl->stationary = ok;
  }
  long long wmin = pl->jobs / 10 > 20 * N ? pl->jobs / 10 : 20 * N;
  pl->wmin = pl->stationary ? 0 : wmin;
  pl->wmax = pl->jobs > 4 * wmin ? pl->jobs : 4 * wmin;
  return ACCQ_SUCCESS;
}

int accq_sim_stability(const accq_model_t *m, const accq_policy_t *pol, int buffer,
                       double *load, accq_err_t *err) {
  accq_model_t mm = *m;
  double l;
  if (!load) load = &l;
  if (mm.lambda_mode == ACCQ_LAMBDA_LOAD) {
    int st = accq_lp_model_resolve(&mm, err);
    if (st) return st;
  }
  accq_model_t lr;
  return long_run_stability(&mm, pol, buffer, load, &lr, NULL, err);
}

static void plan_free(plan_t *pl) {
  accq_arrivals_plan_free((accq_arrivals_plan_t *)pl->arrivals);
  pl->arrivals = NULL;
}

int accq_sim_run_replication(const accq_model_t *m, const accq_policy_t *pol,
                             const accq_sim_options_t *opt, int rep, accq_sim_rep_t *out,
                             accq_err_t *err) {
  accq_sim_options_t o;
  accq_model_t mm;
  plan_t pl;
  int st = check_options(m, opt, &o, &mm, err);
  if (!st) st = plan_run(&mm, pol, &o, 0, &pl, err);
  if (st) return st;
  st = run_rep(&mm, pol, &pl, &o, rep, out, NULL, NULL, NULL, err);
  plan_free(&pl);
  return st;
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
  accq_lp_result_t r;
  if (accq_lp_bound_at(m, x, NAN, &r, NULL) || r.status != ACCQ_LP_OPTIMAL) return NAN;
  return r.t_lp;
}

static double now_seconds(void) { return accq_clock_now(); }

/* The across-replication diagnostics (see sim.h): a growing backlog in every
 * replication is instability (ACCQ_EUNSTABLE); trends, late MSER minima and
 * (capped warm-ups are counted) become warnings.  Clears *res and fills the run-length
 * fields and the warnings. */
static int diagnose(const accq_model_t *m, const accq_policy_t *pol, const plan_t *pl,
                    const accq_sim_rep_t *reps, int R, int buffer, accq_sim_result_t *res,
                    accq_err_t *err) {
  memset(res, 0, sizeof *res);
  res->load = pl->load;
  res->start = pl->stationary ? "stationary (every server an M/M/1 at the LP split: exact)"
                              : "empty";
  long long wmax = 0, wmin = -1;
  double trunc = 0, gmin = INFINITY;
  int late = 0, capped = 0;
  for (int r = 0; r < R; r++) {
    if (reps[r].warmup > wmax) wmax = reps[r].warmup;
    if (wmin < 0 || reps[r].warmup < wmin) wmin = reps[r].warmup;
    trunc += (double)reps[r].truncated;
    late += reps[r].mser_late;
    capped += reps[r].warmup_capped;
    double g = reps[r].growth;
    if (!(g >= gmin)) gmin = g; /* NaN counts as no growth */
  }
  res->warmup = wmax;
  res->warmup_min = wmin;
  res->truncated = trunc / R;
  /* Instability: in every replication the number in system rose in both
   * halves of the truncated window by more than 1% of their admitted jobs,
   * without slowing down (the second half's rate at least half the first's).
   * A backlog growing at rate delta piles up delta/Lambda of the arrivals in
   * any stretch of time; a stable system, once warmed up, ends each half about
   * where it started (N moves by a few standard deviations, far below 1% of
   * the jobs unless the window is tiny), and one still filling up from its
   * empty start (an explicit short --warmup) slows down as it approaches its
   * steady state. */
  int rising = 0;
  for (int r = 0; r < R; r++) {
    double g1 = reps[r].growth_first, g2 = reps[r].growth_second;
    rising += g1 > 0.01 && g2 > 0.01 && g2 >= 0.5 * g1;
  }
  if (buffer == 0 && R >= 1 && rising == R)
    return accq_err_set(err, ACCQ_EUNSTABLE,
                        "policy '%s' is unstable at this load: the number in system grew at a "
                        "steady rate throughout the measured window in all %d replications (at "
                        "least %.3g of the admitted jobs piled up; offered load %.4g of what it "
                        "can serve by capacity); no mean exists",
                        accq_policy_name(pol), R, gmin, pl->load);
  const char *what = pl->stationary ? "the start" : "the empty start";
  if (pl->arrivals && !accq_arrivals_is_poisson(pl->arrivals))
    what = "the empty start, or the moves of the arrival rate ([arrivals]: see the time series)";
  char *wn;
  if (R >= 2) {
    double crit = gsl_cdf_tdist_Pinv(1 - 0.0005, R - 1);
    const char *name[2] = {"E[T]", "L (mean number in system)"};
    for (int i = 0; i < 2; i++) {
      double x[2048];
      int n = 0;
      for (int r = 0; r < R && n < 2048; r++) {
        double v = i ? reps[r].trend_l : reps[r].trend_t;
        if (isfinite(v)) x[n++] = v;
      }
      if (n < 2) continue;
      accq_estimate_t e = accq_sim_estimate(x, n);
      double tt = e.se > 0 ? e.mean / e.se : 0;
      if (fabs(tt) > crit && res->nwarnings < ACCQ_SIM_MAX_WARNINGS) {
        wn = res->warnings[res->nwarnings++];
        snprintf(wn, ACCQ_SIM_WARNING_MAX,
                 "%s drifts inside the measured window: second half minus first half %+.3g "
                 "(t = %.2f over %d replications, |t| > %.2f at level 0.001): the estimate "
                 "may keep the bias of %s; rerun with a longer --warmup or --jobs",
                 name[i], e.mean, tt, n, crit, what);
      }
    }
  }
  /* MSER's minimum beyond half the window in most replications: the run is
   * too short for the start to wash out.  (A warm-up stopped at its cap is
   * reported, not warned about: L may still creep up by less than the
   * estimate's noise, as pod:2 at 2,000 servers and load 0.95 does in every
   * replication while its E[T] is within 0.2% of the mean-field value; the
   * trend tests above judge what is left in the window.) */
  if (2 * late > R && res->nwarnings < ACCQ_SIM_MAX_WARNINGS) {
    wn = res->warnings[res->nwarnings++];
    snprintf(wn, ACCQ_SIM_WARNING_MAX,
             "MSER-5 found its truncation point beyond half the measured window in %d of %d "
             "replications: the window is too short to shed the bias of %s; rerun with a "
             "longer --jobs",
             late, R, what);
  }
  res->warmup_capped = capped;
  return ACCQ_SUCCESS;
}

/* The bound at rate x per unit scale, with a one-entry cache (consecutive
 * windows of a schedule share their rate). */
static double t_lp_cached(const accq_model_t *m, double x, double *cx, double *cv) {
  if (x == *cx) return *cv;
  *cx = x;
  return *cv = t_lp_at(m, x);
}

/* The time series from the replications' window counters (see sim.h). */
static int build_series(const accq_model_t *m, const plan_t *pl, const accq_sim_rep_t *reps,
                        win_t *const *wins, const long long *nw, int R, accq_sim_series_t *se,
                        accq_err_t *err) {
  const double W = pl->window;
  double tend = INFINITY;
  for (int r = 0; r < R; r++) tend = fmin(tend, reps[r].end_time);
  double nwd = floor(tend / W);
  if (!(nwd >= 1))
    return accq_err_set(err, ACCQ_EINVAL,
                        "window %g is longer than the run (the shortest replication ends at "
                        "time %g): use a shorter --window or a longer --jobs", W, tend);
  if (nwd > 1e6)
    return accq_err_set(err, ACCQ_EINVAL,
                        "window %g gives %.0f windows (at most 1e6): use a longer --window", W, nwd);
  int n = (int)nwd;
  se->width = W;
  se->nwindows = n;
  se->w = calloc((size_t)n, sizeof *se->w);
  double *xa = malloc((size_t)R * sizeof *xa), *xt = malloc((size_t)R * sizeof *xt);
  double *fb = calloc((size_t)R, sizeof *fb);
  int *nb = calloc((size_t)R, sizeof *nb);
  int st = ACCQ_SUCCESS;
  if (!se->w || !xa || !xt || !fb || !nb) {
    st = accq_err_set(err, ACCQ_ENOMEM, "simulator: no memory for %d windows", n);
    goto done;
  }
  const double astar = m->accuracy_target, scale = (double)m->scale;
  double cx = NAN, cv = NAN;
  for (int i = 0; i < n; i++) {
    accq_sim_window_t *o = &se->w[i];
    o->t0 = i * W;
    o->t1 = (i + 1) * W;
    long long arr = 0;
    int k = 0, below = 0;
    for (int r = 0; r < R; r++) {
      const win_t *c = i < nw[r] ? &wins[r][i] : NULL;
      if (!c) continue;
      arr += c->arr;
      if (c->adm < 1) continue;
      double nn = (double)c->adm, acc = c->sum_a / nn;
      double var = c->adm > 1 ? (c->sum_a2 - c->sum_a * acc) / (nn - 1) : 0;
      int lo = acc < astar - ACCQ_SIM_BELOW_Z * sqrt(fmax(var, 0) / nn) - 1e-12;
      below += lo;
      fb[r] += lo;
      nb[r]++;
      xa[k] = acc;
      xt[k] = c->sum_t / nn;
      k++;
    }
    o->arrivals = arr;
    o->nreps = k;
    double integral = pl->arrivals ? accq_arrivals_integral(pl->arrivals, o->t0, o->t1)
                                   : scale * m->arrival_rate * W;
    o->rate_counted = !isfinite(integral);
    o->rate = o->rate_counted ? (double)arr / R / W / scale : integral / W / scale;
    o->accuracy = accq_sim_estimate(xa, k);
    o->mean_response_time = accq_sim_estimate(xt, k);
    o->below = k ? (double)below / k : NAN;
    o->t_lp = o->rate > 0 ? t_lp_cached(m, o->rate, &cx, &cv) : NAN;
    o->gap = o->mean_response_time.mean / o->t_lp - 1;
    o->status = k == 0 ? "empty" : isfinite(o->t_lp) ? "ok" : "infeasible";
    if (!isfinite(o->t_lp)) o->gap = NAN;
  }
  for (int r = 0; r < R; r++) fb[r] = nb[r] ? fb[r] / nb[r] : NAN;
  se->below_fraction = accq_sim_estimate(fb, R);
done:
  free(xa);
  free(xt);
  free(fb);
  free(nb);
  if (st) accq_sim_series_free(se);
  return st;
}

void accq_sim_series_free(accq_sim_series_t *series) {
  if (!series) return;
  free(series->w);
  memset(series, 0, sizeof *series);
}

/* What a run makes of its R replications (accq_sim_run and accq_sim_combine
 * alike, so that replications computed anywhere give the same bytes): the
 * across-replication diagnostics, the bound and the estimates.  reps[r].gap
 * is filled here; x is scratch of R doubles. */
static int combine(const accq_model_t *mm, const accq_policy_t *pol, const plan_t *pl,
                   const accq_sim_options_t *o, accq_sim_rep_t *reps, double *x,
                   accq_sim_result_t *res, accq_err_t *err) {
  const int R = o->replications;
  int st = diagnose(mm, pol, pl, reps, R, o->buffer, res, err);
  if (st) return st;
  res->ntypes = mm->ntypes;
  res->replications = R;
  res->jobs = pl->jobs;
  res->seed = o->seed;
  res->buffer = o->buffer;
  res->scale = mm->scale;
  res->arrivals = accq_arrivals_kind_name(mm->arrivals.kind);
  /* with another arrival process: the measures and the bound at its
   * long-run rate Lambda-bar (the moving bound is in the time series) */
  double lam = pl->arrivals ? accq_arrivals_mean_rate(pl->arrivals) / (double)mm->scale
                            : mm->arrival_rate;
  res->lambda = (double)mm->scale * lam;
  res->lambda_mean = res->lambda;
  res->t_lp = t_lp_at(mm, lam);
  /* gap against the bound at each replication's admitted rate X_r = Lambda (1 - P_loss,r)
   * (docs/claims.md: t_lp(X)); with no loss this is the bound at the offered Lambda. */
  for (int r = 0; r < R; r++) {
    double ploss = reps[r].loss_probability;
    double tl = ploss > 0 ? t_lp_at(mm, lam * (1 - ploss)) : res->t_lp;
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
  for (int k = 0; k < mm->ntypes; k++) {
    EST(throughput[k]);
    EST(utilization[k]);
  }
#undef EST
  res->events = 0;
  res->resplits = 0;
  for (int r = 0; r < R; r++) {
    res->events += reps[r].events;
    res->resplits += (double)reps[r].resplits / R;
  }
  return ACCQ_SUCCESS;
}

/* Replications first..first+n-1 with o->threads OpenMP threads (each one's
 * streams depend only on the seed and its index r); the first failing one's
 * error, in index order. */
static int run_reps(const accq_model_t *mm, const accq_policy_t *pol, const plan_t *pl,
                    const accq_sim_options_t *o, int first, int n, accq_sim_rep_t *reps,
                    progress_t *pg, win_t **wins, long long *nw, accq_err_t *err) {
  int *status = calloc((size_t)(n > 0 ? n : 1), sizeof *status);
  accq_err_t *errs = calloc((size_t)(n > 0 ? n : 1), sizeof *errs);
  if (!status || !errs) {
    free(status);
    free(errs);
    return accq_err_set(err, ACCQ_ENOMEM, "simulator: no memory for %d replications", n);
  }
#ifdef _OPENMP
  int nth = o->threads > 0 ? o->threads : omp_get_max_threads();
  if (nth > n) nth = n;
  if (nth < 1) nth = 1;
#pragma omp parallel for schedule(dynamic, 1) num_threads(nth)
#endif
  for (int i = 0; i < n; i++)
    status[i] = run_rep(mm, pol, pl, o, first + i, &reps[i], pg, wins ? &wins[i] : NULL,
                        nw ? &nw[i] : NULL, &errs[i]);
  int st = ACCQ_SUCCESS;
  for (int i = 0; i < n && !st; i++)
    if (status[i]) st = accq_err_set(err, status[i], "replication %d: %s", first + i, errs[i].msg);
  free(status);
  free(errs);
  return st;
}

static int sim_run(const accq_model_t *m, const accq_policy_t *pol, const accq_sim_options_t *opt,
                   double window, accq_sim_result_t *res, accq_sim_rep_t *reps_out,
                   accq_sim_series_t *series, accq_err_t *err) {
  accq_sim_options_t o;
  accq_model_t mm;
  plan_t pl;
  if (series) memset(series, 0, sizeof *series);
  if (series && !(window > 0 && isfinite(window)))
    return accq_err_set(err, ACCQ_EINVAL, "window must be a number > 0 (got %g)", window);
  int st = check_options(m, opt, &o, &mm, err);
  if (!st) st = plan_run(&mm, pol, &o, series ? window : 0, &pl, err);
  if (st) return st;
  const int R = o.replications;
  accq_sim_rep_t *reps = reps_out ? reps_out : calloc((size_t)R, sizeof *reps);
  double *x = calloc((size_t)R, sizeof *x);
  win_t **wins = calloc((size_t)R, sizeof *wins);
  long long *nw = calloc((size_t)R, sizeof *nw);
  if (!reps || !x || !wins || !nw) {
    st = accq_err_set(err, ACCQ_ENOMEM, "simulator: no memory for %d replications", R);
    goto cleanup;
  }
  /* the adaptive warm-up's length is not known in advance: count its minimum */
  long long per_rep = pl.jobs + (pl.warmup >= 0 ? pl.warmup : pl.wmin);
  progress_t pg = {o.progress, o.progress_ctx, (long long)R * per_rep, 0};
  double t0 = now_seconds();
  st = run_reps(&mm, pol, &pl, &o, 0, R, reps, &pg, series ? wins : NULL, nw, err);
  double secs = now_seconds() - t0;
  if (st) goto cleanup;
  if ((st = combine(&mm, pol, &pl, &o, reps, x, res, err))) goto cleanup;
  res->seconds = secs;
  if (series) st = build_series(&mm, &pl, reps, wins, nw, R, series, err);
cleanup:
  if (!reps_out) free(reps);
  if (wins)
    for (int r = 0; r < R; r++) free(wins[r]);
  free(wins);
  free(nw);
  free(x);
  plan_free(&pl);
  return st;
}

int accq_sim_max_threads(void) {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

int accq_sim_run_reps(const accq_model_t *m, const accq_policy_t *pol,
                      const accq_sim_options_t *opt, int first, int n, accq_sim_rep_t *reps,
                      accq_err_t *err) {
  accq_sim_options_t o;
  accq_model_t mm;
  plan_t pl;
  int st = check_options(m, opt, &o, &mm, err);
  if (st) return st;
  if (first < 0 || n < 0 || first + n > o.replications)
    return accq_err_set(err, ACCQ_EINVAL, "replications %d..%d of %d", first, first + n - 1,
                        o.replications);
  if ((st = plan_run(&mm, pol, &o, 0, &pl, err))) return st;
  long long per_rep = pl.jobs + (pl.warmup >= 0 ? pl.warmup : pl.wmin);
  progress_t pg = {o.progress, o.progress_ctx, (long long)n * per_rep, 0};
  st = run_reps(&mm, pol, &pl, &o, first, n, reps, &pg, NULL, NULL, err);
  plan_free(&pl);
  return st;
}

int accq_sim_combine(const accq_model_t *m, const accq_policy_t *pol,
                     const accq_sim_options_t *opt, accq_sim_rep_t *reps,
                     accq_sim_result_t *res, accq_err_t *err) {
  accq_sim_options_t o;
  accq_model_t mm;
  plan_t pl;
  int st = check_options(m, opt, &o, &mm, err);
  if (!st) st = plan_run(&mm, pol, &o, 0, &pl, err);
  if (st) return st;
  double *x = calloc((size_t)o.replications, sizeof *x);
  st = x ? combine(&mm, pol, &pl, &o, reps, x, res, err)
         : accq_err_set(err, ACCQ_ENOMEM, "simulator: no memory for %d replications",
                        o.replications);
  free(x);
  plan_free(&pl);
  return st;
}

int accq_sim_run(const accq_model_t *m, const accq_policy_t *pol,
                 const accq_sim_options_t *opt, accq_sim_result_t *res,
                 accq_sim_rep_t *reps_out, accq_err_t *err) {
  return sim_run(m, pol, opt, 0, res, reps_out, NULL, err);
}

int accq_sim_run_series(const accq_model_t *m, const accq_policy_t *pol,
                        const accq_sim_options_t *opt, double window, accq_sim_result_t *res,
                        accq_sim_rep_t *reps, accq_sim_series_t *series, accq_err_t *err) {
  if (!series) return accq_err_set(err, ACCQ_EINVAL, "no series to fill");
  return sim_run(m, pol, opt, window, res, reps, series, err);
}
