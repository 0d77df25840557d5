/* Checkpoint files (accq/dist.h, docs/output.md "Checkpoints").
 *
 * Layout: a text header written once (temporary file + fsync + rename, so it
 * is never torn)
 *     accq checkpoint 1
 *     command sweep
 *     model <sha256 of the resolved model text>
 *     options <sha256 of the options that change results, accq's version>
 *     cells <n>
 *     identity <sha256 of the above>
 *     end
 * then one binary record per finished cell, appended by rank 0 with one
 * write() and an fsync():
 *     "CELL" | cell (u32 LE) | length (u64 LE) | bytes | sha256 hex (64 bytes)
 *            of the cell index, length and bytes.
 * A crash can only tear the last record (short, or its checksum wrong): the
 * reader keeps every intact record before it and truncates the file there.
 * An fcntl write lock keeps two runs from appending to one file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accq/dist.h"
#include "accq/report.h"

#define CKPT_MAGIC "accq checkpoint 1\n"
#define REC_HEAD 16 /* "CELL", u32, u64 */
#define REC_SUM 64

struct accq_dist_ckpt {
  char *path;
  int fd;
  int ncells;
  unsigned char *file;      /* the records read at open */
  size_t *off, *len;        /* per cell: offset of its bytes in file; len; off = 0: none */
  unsigned char *have;
  accq_dist_checkpoint_info_t info;
};

static void put_le(unsigned char *p, uint64_t v, int n) {
  for (int i = 0; i < n; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static uint64_t get_le(const unsigned char *p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; i++) v |= (uint64_t)p[i] << (8 * i);
  return v;
}

static void record_sum(const unsigned char *head, const void *bytes, size_t len, char hex[65]) {
  accq_sha256_t s;
  accq_sha256_init(&s);
  accq_sha256_update(&s, head, REC_HEAD);
  accq_sha256_update(&s, bytes, len);
  accq_sha256_final(&s, hex);
}

static int write_all(int fd, const void *p, size_t n) {
  const unsigned char *q = p;
  while (n) {
    ssize_t w = write(fd, q, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    q += w;
    n -= (size_t)w;
  }
  return 0;
}

static int header_text(const accq_dist_options_t *o, int ncells, char *buf, size_t size) {
  return snprintf(buf, size, CKPT_MAGIC "command %s\nmodel %s\noptions %s\ncells %d\nidentity %s\nend\n",
                  o->command, o->model_hash, o->options_hash, ncells, o->identity);
}

/* The header goes to a temporary file next to path, then rename: a reader
 * sees no file or a whole header. */
static int create_file(const char *path, const accq_dist_options_t *o, int ncells,
                       accq_err_t *err) {
  char head[1024];
  int n = header_text(o, ncells, head, sizeof head);
  size_t plen = strlen(path);
  char *tmp = malloc(plen + 32);
  if (!tmp) return accq_err_set(err, ACCQ_ENOMEM, "out of memory");
  snprintf(tmp, plen + 32, "%s.tmp.%ld", path, (long)getpid());
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    int e = errno;
    free(tmp);
    return accq_err_set(err, ACCQ_EIO, "%s: cannot create the checkpoint: %s", path, strerror(e));
  }
  if (write_all(fd, head, (size_t)n) || fsync(fd) || close(fd) || rename(tmp, path)) {
    int e = errno;
    unlink(tmp);
    free(tmp);
    return accq_err_set(err, ACCQ_EWRITE, "%s: cannot write the checkpoint: %s", path, strerror(e));
  }
  free(tmp);
  return ACCQ_SUCCESS;
}

static int read_file(int fd, unsigned char **out, size_t *n) {
  size_t cap = 1 << 16, len = 0;
  unsigned char *b = malloc(cap);
  if (!b) return -1;
  for (;;) {
    if (len == cap) {
      unsigned char *q = realloc(b, cap * 2);
      if (!q) {
        free(b);
        return -1;
      }
      b = q;
      cap *= 2;
    }
    ssize_t r = read(fd, b + len, cap - len);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      free(b);
      return -1;
    }
    if (r == 0) break;
    len += (size_t)r;
  }
  *out = b;
  *n = len;
  return 0;
}

/* value of the header line "key VALUE\n" at *p (advanced past it), or NULL */
static const char *header_field(const char **p, const char *end, const char *key, char *val,
                                size_t size) {
  size_t k = strlen(key);
  const char *nl = memchr(*p, '\n', (size_t)(end - *p));
  if (!nl || (size_t)(nl - *p) < k + 1 || memcmp(*p, key, k) || (*p)[k] != ' ') return NULL;
  size_t n = (size_t)(nl - *p) - k - 1;
  if (n >= size) return NULL;
  memcpy(val, *p + k + 1, n);
  val[n] = '\0';
  *p = nl + 1;
  return val;
}

static int refuse(const char *path, const char *cmd, const char *model, const char *opts,
                  int cells, const accq_dist_options_t *o, int ncells, accq_err_t *err) {
  return accq_err_set(err, ACCQ_EUSAGE,
                      "%s: checkpoint was written by accq %s (model hash %.12s, options hash "
                      "%.12s, %d cells), this run is accq %s (model hash %.12s, options hash "
                      "%.12s, %d cells): use another --checkpoint file, or remove this one to "
                      "start afresh",
                      path, cmd, model, opts, cells, o->command, o->model_hash, o->options_hash,
                      ncells);
}

/* Parses the header of buf[0..n): ACCQ_SUCCESS with *start at the first
 * record, or the refusal. */
static int check_header(const char *path, const unsigned char *buf, size_t n, int ncells,
                        const accq_dist_options_t *o, size_t *start, accq_err_t *err) {
  size_t ml = strlen(CKPT_MAGIC);
  if (n < ml || memcmp(buf, CKPT_MAGIC, ml))
    return accq_err_set(err, ACCQ_EUSAGE,
                        "%s: not an accq checkpoint (it does not start with \"accq checkpoint "
                        "1\"); refusing to overwrite it",
                        path);
  const char *p = (const char *)buf + ml, *end = (const char *)buf + n;
  char cmd[64], model[80], opts[80], cells[32], id[80], tail[8];
  if (!header_field(&p, end, "command", cmd, sizeof cmd) ||
      !header_field(&p, end, "model", model, sizeof model) ||
      !header_field(&p, end, "options", opts, sizeof opts) ||
      !header_field(&p, end, "cells", cells, sizeof cells) ||
      !header_field(&p, end, "identity", id, sizeof id) || end - p < 4 || memcmp(p, "end\n", 4))
    return accq_err_set(err, ACCQ_EUSAGE, "%s: damaged checkpoint header", path);
  (void)tail;
  p += 4;
  int nc = atoi(cells);
  if (strcmp(id, o->identity) || nc != ncells)
    return refuse(path, cmd, model, opts, nc, o, ncells, err);
  *start = (size_t)(p - (const char *)buf);
  return ACCQ_SUCCESS;
}

/* Indexes the intact records from `start`; returns the end of the last one. */
static size_t scan_records(accq_dist_ckpt_t *ck, size_t start, size_t n) {
  size_t pos = start;
  const unsigned char *b = ck->file;
  while (n - pos >= REC_HEAD + REC_SUM) {
    if (memcmp(b + pos, "CELL", 4)) break;
    uint64_t c = get_le(b + pos + 4, 4), len = get_le(b + pos + 8, 8);
    if (c >= (uint64_t)ck->ncells || len > n - pos - REC_HEAD - REC_SUM) break;
    char hex[65];
    record_sum(b + pos, b + pos + REC_HEAD, (size_t)len, hex);
    if (memcmp(hex, b + pos + REC_HEAD + len, REC_SUM)) break;
    if (!ck->have[c]) { /* a cell twice (never written so, but harmless): the first */
      ck->have[c] = 1;
      ck->off[c] = pos + REC_HEAD;
      ck->len[c] = (size_t)len;
      ck->info.resumed++;
    }
    pos += REC_HEAD + (size_t)len + REC_SUM;
  }
  return pos;
}

void accq_dist_ckpt_close(accq_dist_ckpt_t *ck) {
  if (!ck) return;
  if (ck->fd >= 0) close(ck->fd); /* releases the lock */
  free(ck->path);
  free(ck->file);
  free(ck->off);
  free(ck->len);
  free(ck->have);
  free(ck);
}

static int lock_file(accq_dist_ckpt_t *ck, accq_err_t *err) {
  struct flock fl;
  memset(&fl, 0, sizeof fl);
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  if (fcntl(ck->fd, F_SETLK, &fl) == 0) return ACCQ_SUCCESS;
  if (errno == EACCES || errno == EAGAIN)
    return accq_err_set(err, ACCQ_EUSAGE,
                        "%s: checkpoint is in use by another running accq (locked)", ck->path);
  return ACCQ_SUCCESS; /* a file system without locks: go on */
}

int accq_dist_ckpt_open(const char *path, int ncells, const accq_dist_options_t *o,
                        accq_dist_ckpt_t **out, accq_err_t *err) {
  *out = NULL;
  if (ncells < 0) return accq_err_set(err, ACCQ_EINVAL, "checkpoint: %d cells", ncells);
  struct stat sb;
  int created = 0, st;
  if (stat(path, &sb) != 0 || (S_ISREG(sb.st_mode) && sb.st_size == 0)) {
    if ((st = create_file(path, o, ncells, err))) return st;
    created = 1;
  } else if (!S_ISREG(sb.st_mode)) {
    return accq_err_set(err, ACCQ_EUSAGE, "%s: a checkpoint must be a regular file", path);
  }
  accq_dist_ckpt_t *ck = calloc(1, sizeof *ck);
  if (!ck) return accq_err_set(err, ACCQ_ENOMEM, "out of memory");
  ck->fd = -1;
  ck->ncells = ncells;
  ck->info.created = created;
  ck->path = strdup(path);
  ck->off = calloc((size_t)ncells + 1, sizeof *ck->off);
  ck->len = calloc((size_t)ncells + 1, sizeof *ck->len);
  ck->have = calloc((size_t)ncells + 1, 1);
  if (!ck->path || !ck->off || !ck->len || !ck->have) {
    accq_dist_ckpt_close(ck);
    return accq_err_set(err, ACCQ_ENOMEM, "out of memory for a checkpoint of %d cells", ncells);
  }
  ck->fd = open(path, O_RDWR);
  if (ck->fd < 0) {
    st = accq_err_set(err, ACCQ_EIO, "%s: cannot open the checkpoint: %s", path, strerror(errno));
    accq_dist_ckpt_close(ck);
    return st;
  }
  size_t n = 0, start = 0;
  if ((st = lock_file(ck, err))) goto fail;
  if (read_file(ck->fd, &ck->file, &n)) {
    st = accq_err_set(err, ACCQ_EIO, "%s: cannot read the checkpoint: %s", path, strerror(errno));
    goto fail;
  }
  if ((st = check_header(path, ck->file, n, ncells, o, &start, err))) goto fail;
  size_t good = scan_records(ck, start, n);
  if (good < n) { /* a torn or damaged tail: drop it before appending */
    ck->info.dropped_bytes = (long long)(n - good);
    if (ftruncate(ck->fd, (off_t)good) || fsync(ck->fd)) {
      st = accq_err_set(err, ACCQ_EWRITE, "%s: cannot drop the torn last record: %s", path,
                        strerror(errno));
      goto fail;
    }
  }
  if (lseek(ck->fd, 0, SEEK_END) < 0) {
    st = accq_err_set(err, ACCQ_EIO, "%s: %s", path, strerror(errno));
    goto fail;
  }
  *out = ck;
  return ACCQ_SUCCESS;
fail:
  accq_dist_ckpt_close(ck);
  return st;
}

const void *accq_dist_ckpt_get(const accq_dist_ckpt_t *ck, int c, size_t *len) {
  if (!ck || c < 0 || c >= ck->ncells || !ck->have[c]) return NULL;
  *len = ck->len[c];
  return ck->file + ck->off[c];
}

int accq_dist_ckpt_append(accq_dist_ckpt_t *ck, int c, const void *bytes, size_t len,
                          accq_err_t *err) {
  if (c < 0 || c >= ck->ncells)
    return accq_err_set(err, ACCQ_EINVAL, "checkpoint: cell %d of %d", c, ck->ncells);
  size_t n = REC_HEAD + len + REC_SUM;
  unsigned char *rec = malloc(n);
  if (!rec) return accq_err_set(err, ACCQ_ENOMEM, "out of memory for a checkpoint record");
  memcpy(rec, "CELL", 4);
  put_le(rec + 4, (uint64_t)c, 4);
  put_le(rec + 8, (uint64_t)len, 8);
  if (len) memcpy(rec + REC_HEAD, bytes, len);
  char hex[65];
  record_sum(rec, bytes, len, hex);
  memcpy(rec + REC_HEAD + len, hex, REC_SUM);
  /* one write then fsync: a crash leaves at worst this record torn */
  int bad = write_all(ck->fd, rec, n) || fsync(ck->fd);
  int e = errno;
  free(rec);
  if (bad)
    return accq_err_set(err, ACCQ_EWRITE, "%s: cannot append cell %d to the checkpoint: %s",
                        ck->path, c, strerror(e));
  return ACCQ_SUCCESS;
}

void accq_dist_ckpt_info(const accq_dist_ckpt_t *ck, accq_dist_checkpoint_info_t *info) {
  if (ck)
    *info = ck->info;
  else
    memset(info, 0, sizeof *info);
}
