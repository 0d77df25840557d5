/* Output files.  What "replace the file" means depends on what the path names:
 *
 *   a regular file, or nothing yet   write a temporary file in the target's
 *                                    directory, fflush + fsync, rename(2) over
 *                                    the target: a reader sees the old file or
 *                                    the complete new one, never a partial
 *                                    write; on failure the temporary file is
 *                                    removed and the old file kept;
 *   a symbolic link                  followed (every hop, like open(2)) to the
 *                                    file it names, which is then replaced as
 *                                    above: the link stays a link;
 *   a character or block device,     written directly (open O_WRONLY, no
 *   a FIFO, /dev/stdout, /dev/fd/N   truncation, no rename): renaming over
 *                                    /dev/null would turn it into a regular
 *                                    file, and a FIFO's reader would never
 *                                    see the bytes;
 *   a UNIX socket                    connected to and written directly;
 *   NULL or "-"                      standard output, written directly.
 *
 * Paths through /proc/PID/fd or /dev/fd (which /dev/stdout is) are written
 * directly even when they lead to a regular file: they stand for a file
 * descriptor someone holds open (a shell's `> file`), and a rename would
 * leave that descriptor on the old, unlinked file.
 *
 * Errors: a path that cannot be used (directory, missing or read-only
 * directory, an input of the command) is ACCQ_EIO/ACCQ_EUSAGE, exit status 2,
 * and accq_outfile_check finds it before any computation; a write that
 * fails once the output is being produced (disk full, /dev/full, a closed
 * stdout, a reader gone) is ACCQ_EWRITE, exit status 3, naming the path and
 * the system's reason. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "accq/report.h"

#define PATH_CAP 4096
#define MAX_HOPS 40 /* as the kernel's ELOOP limit */

typedef enum { MODE_ATOMIC = 0, MODE_DIRECT, MODE_STDOUT } mode_t_;

struct accq_outfile {
  char *path; /* as given (for messages) */
  char *target; /* the file replaced (atomic mode, symlinks resolved) */
  char *tmp;    /* atomic mode: the temporary file */
  FILE *f;
  mode_t_ mode;
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

static int is_fd_path(const char *p) {
  return !strncmp(p, "/proc/", 6) || !strncmp(p, "/dev/fd/", 8) || !strcmp(p, "/dev/stdout") ||
         !strcmp(p, "/dev/stderr");
}

/* Where output to `path` goes.  Follows symbolic links hop by hop (a dangling
 * link leads to the file it would create).  Fills target (the last path in
 * the chain), *direct (write in place: an existing non-regular file or a file
 * descriptor path), *exists and *st (stat of the target when it exists). */
static int resolve(const char *path, char *target, int *direct, int *exists, struct stat *st,
                   accq_err_t *err) {
  if (strlen(path) >= PATH_CAP)
    return accq_err_set(err, ACCQ_EIO, "%.64s...: output path too long", path);
  snprintf(target, PATH_CAP, "%s", path);
  *direct = is_fd_path(target);
  for (int hop = 0;; hop++) {
    struct stat lst;
    if (lstat(target, &lst) != 0) {
      if (errno != ENOENT)
        return accq_err_set(err, ACCQ_EIO, "%s: cannot use as output: %s", path, strerror(errno));
      *exists = 0;
      return ACCQ_SUCCESS;
    }
    if (!S_ISLNK(lst.st_mode)) {
      *exists = 1;
      *st = lst;
      break;
    }
    if (*direct) { /* /dev/stdout -> /proc/self/fd/1 -> "pipe:[..]": stop at the magic link */
      *exists = stat(target, st) == 0;
      if (!*exists) return accq_err_set(err, ACCQ_EIO, "%s: cannot use as output: %s", path, strerror(errno));
      break;
    }
    if (hop >= MAX_HOPS)
      return accq_err_set(err, ACCQ_EIO, "%s: too many levels of symbolic links", path);
    char link[PATH_CAP];
    ssize_t n = readlink(target, link, sizeof link - 1);
    if (n < 0) return accq_err_set(err, ACCQ_EIO, "%s: cannot read link: %s", path, strerror(errno));
    link[n] = '\0';
    char next[PATH_CAP];
    const char *slash = strrchr(target, '/');
    if (link[0] == '/' || !slash)
      snprintf(next, sizeof next, "%s", link);
    else if ((size_t)(slash - target) + 1 + (size_t)n >= sizeof next)
      return accq_err_set(err, ACCQ_EIO, "%s: output path too long after following links", path);
    else {
      size_t dl = (size_t)(slash - target) + 1;
      memcpy(next, target, dl);
      memcpy(next + dl, link, (size_t)n + 1);
    }
    memcpy(target, next, sizeof next);
    if (is_fd_path(target)) *direct = 1;
  }
  if (S_ISDIR(st->st_mode)) return accq_err_set(err, ACCQ_EIO, "%s: is a directory", path);
  if (!S_ISREG(st->st_mode)) *direct = 1;
  return ACCQ_SUCCESS;
}

/* The directory part of p ("." when none) into dir. */
static void dir_of(const char *p, char *dir, size_t size) {
  const char *slash = strrchr(p, '/');
  if (!slash)
    snprintf(dir, size, ".");
  else if (slash == p)
    snprintf(dir, size, "/");
  else
    snprintf(dir, size, "%.*s", (int)(slash - p), p);
}

int accq_outfile_check(const char *path, const char *const *inputs, int ninputs,
                       accq_err_t *err) {
  if (!path || !strcmp(path, "-")) return ACCQ_SUCCESS;
  if (!*path) return accq_err_set(err, ACCQ_EUSAGE, "empty output file name");
  char target[PATH_CAP];
  int direct = 0, exists = 0;
  struct stat st;
  int s = resolve(path, target, &direct, &exists, &st, err);
  if (s) return s;
  if (exists) {
    /* the same file as an input (compared by device and inode, so links,
     * ../ and hard links count): writing it would destroy what is read */
    for (int i = 0; i < ninputs; i++) {
      struct stat in;
      if (inputs[i] && stat(inputs[i], &in) == 0 && in.st_dev == st.st_dev &&
          in.st_ino == st.st_ino)
        return accq_err_set(err, ACCQ_EUSAGE,
                            "%s: the output would overwrite the input file '%s'; choose "
                            "another output path", path, inputs[i]);
    }
    if (direct) {
      if (!S_ISSOCK(st.st_mode) && access(target, W_OK) != 0)
        return accq_err_set(err, ACCQ_EIO, "%s: cannot write: %s", path, strerror(errno));
      return ACCQ_SUCCESS;
    }
  }
  char dir[PATH_CAP];
  dir_of(target, dir, sizeof dir);
  struct stat dst;
  if (stat(dir, &dst) != 0 || !S_ISDIR(dst.st_mode))
    return accq_err_set(err, ACCQ_EIO, "%s: directory '%s' does not exist", path, dir);
  /* the file is replaced by a rename in its directory, so the directory must
   * be writable even when the file itself is */
  if (access(dir, W_OK | X_OK) != 0)
    return accq_err_set(err, ACCQ_EIO, "%s: cannot create files in directory '%s': %s", path,
                        dir, strerror(errno));
  return ACCQ_SUCCESS;
}

static void release(accq_outfile_t *of) {
  if (of->tmp) pending_remove(of->tmp);
  free(of->tmp);
  free(of->target);
  free(of->path);
  free(of);
}

static int open_socket(const char *target) {
  struct sockaddr_un a;
  if (strlen(target) >= sizeof a.sun_path) {
    errno = ENAMETOOLONG;
    return -1;
  }
  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  memcpy(a.sun_path, target, strlen(target) + 1);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

int accq_outfile_open(const char *path, accq_outfile_t **of, accq_err_t *err) {
  *of = NULL;
  if (path && !*path) return accq_err_set(err, ACCQ_EUSAGE, "empty output file name");
  accq_outfile_t *o = calloc(1, sizeof *o);
  if (!o) goto nomem;
  if (!path || !strcmp(path, "-") || !strcmp(path, "/dev/stdout") || !strcmp(path, "/dev/fd/1") ||
      !strcmp(path, "/proc/self/fd/1")) {
    /* the stream itself, sharing its offset with what else goes to stdout */
    o->mode = MODE_STDOUT;
    o->f = stdout;
    if (!(o->path = strdup("standard output"))) goto nomem;
    *of = o;
    return ACCQ_SUCCESS;
  }
  char target[PATH_CAP];
  int direct = 0, exists = 0;
  struct stat st;
  int s = resolve(path, target, &direct, &exists, &st, err);
  if (s) {
    free(o);
    return s;
  }
  if (!(o->path = strdup(path)) || !(o->target = strdup(target))) goto nomem;
  if (direct) {
    o->mode = MODE_DIRECT;
    /* no O_TRUNC: a device or FIFO has nothing to truncate, and a file
     * behind /dev/fd/N belongs to whoever opened it (O_APPEND or not) */
    int fd = exists && S_ISSOCK(st.st_mode) ? open_socket(target)
                                            : open(target, O_WRONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
      int e = errno;
      release(o);
      return accq_err_set(err, ACCQ_EIO, "%s: cannot open for writing: %s", path, strerror(e));
    }
    if (!(o->f = fdopen(fd, "w"))) {
      close(fd);
      goto nomem;
    }
    *of = o;
    return ACCQ_SUCCESS;
  }
  o->mode = MODE_ATOMIC;
  size_t n = strlen(target);
  if (!(o->tmp = malloc(n + 32))) goto nomem;
  /* temp name: same directory (rename is atomic only within one file
   * system), hidden, unique: DIR/.BASE.XXXXXX */
  const char *slash = strrchr(target, '/');
  size_t dirlen = slash ? (size_t)(slash - target) + 1 : 0;
  snprintf(o->tmp, n + 32, "%.*s.%s.XXXXXX", (int)dirlen, target, target + dirlen);
  int fd = mkstemp(o->tmp);
  if (fd < 0) {
    int e = errno;
    free(o->tmp);
    o->tmp = NULL;
    release(o);
    return accq_err_set(err, ACCQ_EIO, "%s: cannot create a temporary file next to it: %s",
                        path, strerror(e));
  }
  /* mkstemp makes 0600; give the file the mode a plain open would (or the old
   * file's mode when it exists) */
  mode_t mode;
  if (exists) {
    mode = st.st_mode & 07777;
  } else {
    mode_t mask = umask(022);
    umask(mask);
    mode = 0666 & ~mask;
  }
  (void)fchmod(fd, mode); /* not fatal: the content matters more */
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
    if (o->f && o->mode != MODE_STDOUT) fclose(o->f);
    release(o);
  }
  return accq_err_set(err, ACCQ_ENOMEM, "out of memory opening %s", path ? path : "stdout");
}

FILE *accq_outfile_stream(accq_outfile_t *of) { return of ? of->f : NULL; }

void accq_outfile_abort(accq_outfile_t *of) {
  if (!of) return;
  if (of->mode == MODE_STDOUT) {
    (void)fflush(of->f);
  } else if (of->f) {
    fclose(of->f);
  }
  if (of->mode == MODE_ATOMIC && of->tmp) unlink(of->tmp);
  release(of);
}

int accq_outfile_commit(accq_outfile_t *of, accq_err_t *err) {
  if (!of) return accq_err_set(err, ACCQ_EINVAL, "no output file to commit");
  const char *what = "write";
  int e = 0;
  /* errno of a failed write is not kept by stdio: fflush retries the
   * buffered bytes (and sets errno), ferror tells of an earlier failure */
  errno = 0;
  if (fflush(of->f) != 0 || ferror(of->f)) {
    e = errno ? errno : EIO;
    goto fail;
  }
  if (of->mode == MODE_STDOUT) {
    release(of);
    return ACCQ_SUCCESS;
  }
  if (of->mode == MODE_ATOMIC && fsync(fileno(of->f)) != 0 && errno != EINVAL) {
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
  if (of->mode == MODE_DIRECT) {
    release(of);
    return ACCQ_SUCCESS;
  }
  if (rename(of->tmp, of->target) != 0) {
    e = errno;
    what = "replace";
    goto fail;
  }
  /* make the rename itself durable; failure here loses nothing already visible */
  {
    char dir[PATH_CAP];
    dir_of(of->target, dir, sizeof dir);
    int dfd = open(dir, O_RDONLY);
    if (dfd >= 0) {
      (void)fsync(dfd);
      close(dfd);
    }
  }
  release(of);
  return ACCQ_SUCCESS;
fail:
  accq_err_set(err, ACCQ_EWRITE, "%s: cannot %s the output: %s", of->path, what, strerror(e));
  accq_outfile_abort(of);
  return ACCQ_EWRITE;
}

int accq_outfile_copy(const char *src, const char *path, accq_err_t *err) {
  FILE *in = fopen(src, "rb");
  if (!in) return accq_err_set(err, ACCQ_EIO, "%s: cannot read: %s", src, strerror(errno));
  accq_outfile_t *of = NULL;
  int st = accq_outfile_open(path, &of, err);
  if (st) {
    fclose(in);
    return st;
  }
  char buf[1 << 15];
  size_t n;
  FILE *out = accq_outfile_stream(of);
  while ((n = fread(buf, 1, sizeof buf, in)) > 0)
    if (fwrite(buf, 1, n, out) != n) break;
  int bad_in = ferror(in);
  fclose(in);
  if (bad_in) {
    accq_outfile_abort(of);
    return accq_err_set(err, ACCQ_EIO, "%s: read error", src);
  }
  return accq_outfile_commit(of, err);
}
