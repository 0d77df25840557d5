/* The Markov chains of docs/chains.md: the lumped occupancy chain (exact for
 * within-type symmetric policies) and the explicit per-server chain used to
 * cross-check the lumping on small systems.
 *
 * Lumped state: c[k][q], q = 0..B, sum_q c[k][q] = N_k = m n_k; stored flat as
 * count[k*(B+1) + q].  States are indexed by a combinatorial rank (no hash
 * table); only the states reachable from the empty system are built, in a
 * compact index 0..nstates-1 (the build maps ranks to indices with an array
 * over the ranks, or a hash when the ranks far outnumber the states).
 */
#ifndef ACCQ_CHAIN_H
#define ACCQ_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include "accq/model.h"
#include "accq/policy.h"

/* ---- state space (lumped) ---- */

typedef struct accq_space accq_space_t;

/* Number of lumped states prod_k C(N_k + B, B) as a double (exact below 2^53,
 * +inf never: returns ACCQ_ETOOBIG with the figure when it exceeds 2^63). */
int accq_space_count(int ntypes, const int *servers, int buffer, double *count,
                     accq_err_t *err);
int accq_space_alloc(accq_space_t **s, int ntypes, const int *servers, int buffer,
                     accq_err_t *err);
void accq_space_free(accq_space_t *s);
uint64_t accq_space_size(const accq_space_t *s);
int accq_space_ntypes(const accq_space_t *s);
int accq_space_buffer(const accq_space_t *s);
const int *accq_space_servers(const accq_space_t *s);
/* rank <-> flat counts (count[k*(B+1)+q]); O(ntypes * (B + 1)). */
uint64_t accq_space_rank(const accq_space_t *s, const int *count);
void accq_space_unrank(const accq_space_t *s, uint64_t rank, int *count);

/* ---- generator ---- */

/* Q in compressed sparse row form, off-diagonal entries only (each row i holds
 * the transitions out of i, columns sorted, no duplicates), diagonal apart:
 * Q_ii = -sum_j Q_ij.  Indices fit int32 for up to 2^31 states.
 *
 * The rates are stored one of three ways (docs/chains.md, "Storage"): val[e]
 * (8 bytes per entry), or, when val is NULL, a table of the distinct rates
 * rtab[0..nrtab-1] and a per-entry index into it: 1 byte, ridx8[e], when the
 * table has at most 256 rates (then ridx is NULL), else 2 bytes, ridx[e] (then
 * ridx8 is NULL).  The diagonal is stored one of two ways: diag[i] (8 bytes
 * per state), or, when diag is NULL, a table of the distinct diagonals
 * dtab[0..ndtab-1] (at most 65,535) and a 2-byte index didx[i] per state.
 * The lumped chains' rates take a handful of values (c mu_k and
 * Lambda-fractions: 13 on the bench chain of 853,776 states), their diagonals
 * a few dozen (34 there).  The tables hold the exact doubles.  Read them with
 * accq_generator_rate() and accq_generator_diag(), never the arrays.  A generator filled by hand sets val and diag (ridx, ridx8, rtab,
 * nrtab, didx, dtab and ndtab are then never read, not even by
 * accq_generator_free: they may be left uninitialized); the chain builders
 * choose the compact forms. */
typedef struct {
  int64_t n;
  int64_t nnz;            /* off-diagonal entries */
  int64_t *rowptr;        /* n + 1 */
  int32_t *col;           /* nnz */
  double *val;            /* nnz, > 0; NULL when the rate table is used */
  double *diag;           /* n, <= 0; NULL when the diagonal table is used */
  uint16_t *ridx;         /* nnz indices into rtab (val == NULL, nrtab > 256), else NULL */
  double *rtab;           /* nrtab distinct rates, > 0 */
  int32_t nrtab;
  /* Matrix-free storage (docs/chains.md, "Storage"): rowptr is NULL and row
   * i is regenerated on demand: row(row_ctx, i, sorted, col, rate, &diag)
   * writes its entries (at most max_row; no duplicate columns, the values a
   * stored build holds; columns sorted when `sorted`, else in the generator's
   * order, which is cheaper) and returns their number, or < 0 on an
   * error.  col, val, ridx, ridx8, rtab, diag, didx and dtab are NULL;
   * max_exit = max_i |Q_ii|.
   * sorted == ACCQ_ROW_LOWER (ACCQ_ROW_UPPER) asks only for the entries
   * below (above) the diagonal, col < i (col > i), in the generator's order,
   * and *diag: a generator may return just those or the whole row as for 0
   * (the caller filters).
   * Not reentrant (one caller at a time).  A stored generator leaves row
   * NULL. */
  int (*row)(void *row_ctx, int64_t i, int sorted, int32_t *col, double *rate, double *diag);
  void *row_ctx;
  int32_t max_row;
  double max_exit;
  /* The compact forms (above; last, so that positional initializers of the
   * fields before stay valid and leave these NULL) */
  uint8_t *ridx8;         /* nnz indices into rtab (val == NULL, nrtab <= 256), else NULL */
  uint16_t *didx;         /* n indices into dtab (diag == NULL), else NULL */
  double *dtab;           /* ndtab distinct diagonals, <= 0 */
  int32_t ndtab;
} accq_generator_t;

/* accq_generator_t.row's `sorted` for the entries below (above) the
 * diagonal only. */
#define ACCQ_ROW_LOWER 2
#define ACCQ_ROW_UPPER 3

/* Is q matrix-free (rows regenerated, nothing stored)? */
static inline int accq_generator_implicit(const accq_generator_t *q) {
  return q->rowptr == NULL && q->row != NULL;
}

/* The rate of entry e (0 <= e < nnz), whichever storage is used. */
static inline double accq_generator_rate(const accq_generator_t *q, int64_t e) {
  return q->val ? q->val[e] : q->rtab[q->ridx8 ? q->ridx8[e] : q->ridx[e]];
}

/* The diagonal Q_ii (0 <= i < n) of a stored generator, whichever storage is
 * used. */
static inline double accq_generator_diag(const accq_generator_t *q, int64_t i) {
  return q->diag ? q->diag[i] : q->dtab[q->didx[i]];
}

void accq_generator_free(accq_generator_t *q);   /* frees the arrays, not q itself */

/* ---- chains ---- */

typedef enum { ACCQ_CHAIN_LUMPED = 0, ACCQ_CHAIN_EXPLICIT } accq_chain_kind_t;

/* How the generator is kept (docs/chains.md, "Storage"): stored rows (about
 * 97 bytes per state and 5 per transition, 73 + 5 from ACCQ_SOR_LEAN_STATES
 * states), or matrix-free (rows regenerated from each state's rank in every
 * sweep: about 90 bytes per state, 66 from ACCQ_SOR_LEAN_STATES, nothing
 * per transition, slower per sweep).  auto: stored when its estimate fits
 * max_bytes, else matrix-free when that fits, else refused. */
typedef enum {
  ACCQ_STORAGE_AUTO = 0,
  ACCQ_STORAGE_STORED,
  ACCQ_STORAGE_MATRIX_FREE
} accq_storage_t;

/* "auto", "stored", "matrix-free" <-> the enum (ACCQ_EINVAL names the
 * choices). */
int accq_storage_from_name(const char *name, accq_storage_t *storage, accq_err_t *err);
const char *accq_storage_name(accq_storage_t storage);

typedef struct {
  int64_t max_states;     /* refuse larger (default 2e7; --max-states) */
  double max_bytes;       /* refuse when the estimate exceeds it (default: 3/4 of
                             available memory, read from /proc/meminfo) */
  accq_storage_t storage; /* default auto */
} accq_chain_options_t;

typedef struct {
  accq_chain_kind_t kind;
  accq_model_t model;     /* copy; model.scale and model.buffer are the ones used */
  int scale;              /* m */
  int buffer;             /* B >= 1 */
  double lambda;          /* total arrival rate m * Lambda */
  int servers[ACCQ_MAX_TYPES];   /* N_k = m n_k */
  accq_space_t *space;    /* lumped: the occupancy space; explicit: NULL */
  uint64_t product_states;/* prod count (lumped) or prod (B+1)^N_k (explicit) */
  int64_t nstates;        /* reachable states */
  uint64_t *state_key;    /* per state: lumped rank, or explicit mixed-radix code */
  accq_generator_t Q;     /* stored, or matrix-free (Q.row set: see above) */
  accq_storage_t storage; /* the one used: stored or matrix-free */
  double bytes;           /* memory used by the chain */
  double build_seconds;
  struct accq_i_rows *rows;   /* matrix-free: what regenerates a row (private) */
  /* MMPP arrivals ([arrivals] process = mmpp, docs/chains.md "MMPP arrivals"):
   * the phase is a state component.  State i is occupancy i / nphases (its
   * key state_key[i / nphases]) in phase i % nphases; lambda above is then the
   * long-run mean m Lambda-bar = sum_i phase_pi[i] phase_rate[i].  Poisson
   * arrivals: nphases = 1, phase_rate[0] = lambda, phase_pi[0] = 1 (a chain
   * filled by hand may leave nphases 0: read as 1). */
  int nphases;
  double phase_rate[ACCQ_ARRIVALS_MAX_PHASES]; /* m lambda_i, whole system */
  double phase_pi[ACCQ_ARRIVALS_MAX_PHASES];   /* stationary law of the phase */
} accq_chain_t;

/* The arrival process as the chains see it: *K phases with total rates
 * rate[i] = m lambda_i (m times the file's rate, times Lambda with `rates =
 * relative`, as the simulator), the stationary phase law pi[i] and the
 * long-run mean *mean = sum_i pi[i] rate[i].  Poisson (no [arrivals] section,
 * or process = poisson): K = 1 at m Lambda.  Any pointer may be NULL except K.
 * The model must be resolved (Lambda known).  ACCQ_EMODEL for piecewise,
 * sinusoid and trace (no time-homogeneous Markov chain: simulate them) and
 * for a reducible generator; ACCQ_EINVAL for an unresolved Lambda. */
int accq_chain_phases(const accq_model_t *m, int *K, double *rate, double *pi, double *mean,
                      accq_err_t *err);

/* The phase of state i (0 for Poisson arrivals). */
static inline int accq_chain_state_phase(const accq_chain_t *c, int64_t i) {
  return c->nphases > 1 ? (int)(i % c->nphases) : 0;
}

void accq_chain_options_init(accq_chain_options_t *opt);
/* The default memory limit: 3/4 of MemAvailable (8 GiB when unreadable). */
double accq_chain_max_bytes_default(void);

/* Estimated bytes to build and solve (`auto`) a chain of `states` states with
 * `ntypes` types: state keys, rank map, generator (rates by table), solver
 * vectors; docs/chains.md, "Storage". */
double accq_chain_bytes_estimate(double states, int ntypes, int buffer);
/* The same for the matrix-free storage (no transitions stored). */
double accq_chain_bytes_estimate_mf(double states, int ntypes, int buffer);

/* The number of lumped states the policy can reach at buffer B, before
 * building: prod over the types the policy uses of C(m n_k + B, B) (a type it
 * never chooses contributes one state, accq_policy_uses_type; pol NULL: every
 * type).  Exact for rjiq, random-lp, accurate-jiq and jsq (every composition
 * of a used type is reachable from the empty system; tests/measures/
 * test_product.c); an upper bound for pop, whose slow types rarely queue
 * (3150 reached of 57750 on tests/models/three-8-4-2.ini at B = 3: the size
 * decision uses accq_chain_size_reachable, which counts them);
 * *bytes the memory the build and the solve need.  Exact integer arithmetic
 * below 2^53, from log-gamma above (no overflow).  O(ntypes (N + B) B). */
int accq_chain_size_estimate(const accq_model_t *m, const accq_policy_t *pol, int buffer,
                             double *states, double *bytes, accq_err_t *err);

/* The exact number of lumped occupancies reachable from the empty system
 * (with MMPP arrivals each comes in K phases: accq_chain_size_reachable
 * multiplies), by a
 * breadth-first search over the rank space that keeps a visited bitmap (1 bit
 * per product state) and a queue of ranks (8 bytes per reachable state) and
 * calls the policy's dispatch, without building transitions.  *exact = 1 and
 * *count the number; when more than max_count states are reached it stops:
 * *exact = 0, *count = max_count + 1 (a lower bound); when the bitmap and
 * queue would exceed max_bytes (or the rank space 2^63): *exact = 0,
 * *count = -1 (no count).  Cost O(reachable * ntypes * (B+1)) time. */
int accq_chain_count_reachable(const accq_model_t *m, const accq_policy_t *pol, int buffer,
                               int64_t max_count, double max_bytes, int64_t *count,
                               int *exact, accq_err_t *err);

/* The size decision before a build: *states and *bytes as accq_chain_build
 * will need them.  *exact = 1: *states is the exact reachable count (the
 * product count for rjiq, random-lp, accurate-jiq and jsq, else counted with
 * accq_chain_count_reachable up to opt->max_states); *exact = -1: more than
 * *states - 1 = opt->max_states states are reachable (a lower bound: the
 * chain is too large); *exact = 0: *states is the product upper bound (the
 * count's bitmap did not fit its memory budget).  *bytes is the build and the
 * `auto` solve together (docs/chains.md, "Storage"), the rank -> index map
 * included (an array over the product space, or a hash of the states when
 * that is much smaller).  opt NULL: defaults. */
int accq_chain_size_reachable(const accq_model_t *m, const accq_policy_t *pol, int buffer,
                              const accq_chain_options_t *opt, double *states,
                              double *bytes, int *exact, accq_err_t *err);

/* Builds the lumped chain of `pol` on model m at scale m->scale and buffer
 * `buffer` (>= 1; the model's `auto` is resolved by the caller).  Types the
 * policy never chooses are frozen (one state).  The size is checked before
 * allocating: ACCQ_ETOOBIG with states and bytes in the message.
 * Cost O(reachable states * ntypes * (B+1)).
 * Arrivals ([arrivals], docs/chains.md "MMPP arrivals"): with an mmpp of K
 * phases the state is (occupancy, phase), K times the Poisson chain's states
 * (the size decisions of this header multiply by K: accq_chain_size_estimate
 * and accq_chain_size_reachable count states with their phase, and the
 * refusal names the occupancy count and K); piecewise, sinusoid and trace
 * arrivals have no chain: ACCQ_EMODEL.  Same for accq_chain_build_explicit. */
int accq_chain_build(accq_chain_t **c, const accq_model_t *m, const accq_policy_t *pol,
                     int buffer, const accq_chain_options_t *opt, accq_err_t *err);

/* The explicit per-server chain (one queue length per server); small systems only. */
int accq_chain_build_explicit(accq_chain_t **c, const accq_model_t *m,
                              const accq_policy_t *pol, int buffer,
                              const accq_chain_options_t *opt, accq_err_t *err);

void accq_chain_free(accq_chain_t *c);

/* Occupancy of state i (flat count[k*(B+1)+q]) for either kind of chain (with
 * MMPP arrivals: of its occupancy i / nphases, whatever the phase). */
void accq_chain_state_counts(const accq_chain_t *c, int64_t i, int *count);

/* Writes Q (with its diagonal) in Matrix Market coordinate format to a stream
 * (the caller owns the file: accq solve --export-mtx writes through the atomic
 * outfile API of accq/report.h).  The stream is flushed; ACCQ_EWRITE when it
 * reports an error.  Cost O(states + transitions). */
#include <stdio.h>
int accq_chain_write_mtx(const accq_chain_t *c, FILE *f, accq_err_t *err);

#endif
