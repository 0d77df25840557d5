/* Atomic output files: write a temporary file in the target's directory, then
 * fflush + fsync + rename.  rename(2) within one directory replaces the target
 * in one step, so a reader sees either the old file or the complete new one,
 * never a partial write; on any failure the temporary file is removed. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accq/report.h"

struct accq_outfile {
  char *path, *tmp;
  FILE *f;
};

/* Temporary files not yet committed or aborted, for accq_outfile_unlink_pending
 * (called from signal handlers: only plain loads and unlink(2) there). */
#define PENDING_MAX 16
static char *volatile pending[PENDING_MAX];

static void pending_add(char *tmp) {
  for (int i = 0; i < PENDING_MAX; i++)
    if (!pending[i]) {
      pending[i] = tmp;
      return;
    }
}

static void pending_remove(const char *tmp) {
  for (int i = 0; i < PENDING_MAX; i++)
    if (pending[i] == tmp) pending[i] = NULL;
}

void accq_outfile_unlink_pending(void) {
  for (int i = 0; i < PENDING_MAX; i++) {
    char *t = pending[i];
    if (t) unlink(t);
  }
}

int accq_outfile_open(const char *path, accq_outfile_t **of, accq_err_t *err) {
  *of = NULL;
  if (!path || !*path) return accq_err_set(err, ACCQ_EUSAGE, "empty output file name");
  struct stat st;
  if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
    return accq_err_set(err, ACCQ_EIO, "%s: is a directory", path);
  accq_outfile_t *o = calloc(1, sizeof *o);
  size_t n = strlen(path);
  if (!o || !(o->path = malloc(n + 1)) || !(o->tmp = malloc(n + 32))) goto nomem;
  memcpy(o->path, path, n + 1);
  /* temp name: same directory, hidden, unique: DIR/.BASE.XXXXXX */
  const char *slash = strrchr(path, '/');
  size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
  snprintf(o->tmp, n + 32, "%.*s.%s.XXXXXX", (int)dirlen, path, path + dirlen);
  int fd = mkstemp(o->tmp);
  if (fd < 0) {
    int e = errno;
    free(o->tmp);
    free(o->path);
    free(o);
    return accq_err_set(err, ACCQ_EIO, "%s: cannot create a temporary file next to it: %s",
                        path, strerror(e));
  }
  /* mkstemp makes 0600; give the file the mode a plain open would (or the old
   * file's mode when it exists) */
  mode_t mode;
  if (stat(path, &st) == 0) {
    mode = st.st_mode & 07777;
  } else {
    mode_t mask = umask(022);
    umask(mask);
    mode = 0666 & ~mask;
  }
  if (fchmod(fd, mode) != 0) { /* not fatal: the content matters more */
  }
  if (!(o->f = fdopen(fd, "w"))) {
    close(fd);
    unlink(o->tmp);
    goto nomem;
  }
  pending_add(o->tmp);
  *of = o;
  return ACCQ_SUCCESS;
nomem:
  if (o) {
    free(o->tmp);
    free(o->path);
  }
  free(o);
  return accq_err_set(err, ACCQ_ENOMEM, "out of memory opening %s", path);
}

FILE *accq_outfile_stream(accq_outfile_t *of) { return of ? of->f : NULL; }

static void release(accq_outfile_t *of) {
  pending_remove(of->tmp);
  free(of->tmp);
  free(of->path);
  free(of);
}

void accq_outfile_abort(accq_outfile_t *of) {
  if (!of) return;
  if (of->f) fclose(of->f);
  unlink(of->tmp);
  release(of);
}

int accq_outfile_commit(accq_outfile_t *of, accq_err_t *err) {
  if (!of) return accq_err_set(err, ACCQ_EINVAL, "no output file to commit");
  const char *what = "write";
  int e = 0;
  if (fflush(of->f) != 0 || ferror(of->f)) {
    e = errno;
    goto fail;
  }
  if (fsync(fileno(of->f)) != 0 && errno != EINVAL) { /* EINVAL: no fsync on this file */
    e = errno;
    what = "sync";
    goto fail;
  }
  FILE *f = of->f;
  of->f = NULL;
  if (fclose(f) != 0) {
    e = errno;
    goto fail;
  }
  if (rename(of->tmp, of->path) != 0) {
    e = errno;
    what = "replace";
    goto fail;
  }
  /* make the rename itself durable; failure here loses nothing already visible */
  {
    const char *slash = strrchr(of->path, '/');
    char dir[4096];
    if (slash)
      snprintf(dir, sizeof dir, "%.*s", (int)(slash - of->path) + (slash == of->path), of->path);
    else
      snprintf(dir, sizeof dir, ".");
    int dfd = open(dir, O_RDONLY);
    if (dfd >= 0) {
      (void)fsync(dfd);
      close(dfd);
    }
  }
  release(of);
  return ACCQ_SUCCESS;
fail:
  accq_err_set(err, ACCQ_EIO, "%s: cannot %s the output: %s", of->path, what, strerror(e));
  accq_outfile_abort(of);
  return ACCQ_EIO;
}
