/* gnuplot adapter: writes a self-contained gnuplot script (data inline as
 * here-documents), runs gnuplot on it with posix_spawn, and copies the
 * picture to the target through accq_outfile_* only when gnuplot succeeded. */
#include "ext/gnuplot.h"

#include "accq/report.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int accq_gnuplot_find(char *path, size_t size) {
  const char *env = getenv("ACCQ_GNUPLOT");
  if (env && *env) {
    if (access(env, X_OK) == 0) {
      snprintf(path, size, "%s", env);
      return 1;
    }
    return 0;
  }
  const char *p = getenv("PATH");
  if (!p) return 0;
  while (*p) {
    const char *colon = strchr(p, ':');
    size_t len = colon ? (size_t)(colon - p) : strlen(p);
    char cand[4096];
    if (len == 0)
      snprintf(cand, sizeof cand, "./gnuplot");
    else
      snprintf(cand, sizeof cand, "%.*s/gnuplot", (int)len, p);
    struct stat st;
    if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0) {
      snprintf(path, size, "%s", cand);
      return 1;
    }
    if (!colon) break;
    p = colon + 1;
  }
  return 0;
}

/* A gnuplot single-quoted string: '' stands for one quote. */
static void put_quoted(FILE *f, const char *s) {
  fputc('\'', f);
  for (; s && *s; s++) {
    if (*s == '\'') fputc('\'', f);
    if (*s != '\n') fputc(*s, f);
  }
  fputc('\'', f);
}

static const char *extension(const char *path) {
  const char *slash = strrchr(path, '/');
  const char *dot = strrchr(path, '.');
  if (!dot || (slash && dot < slash)) return "";
  return dot + 1;
}

static int point_ok(const accq_plot_t *pl, double x, double y) {
  if (!isfinite(x) || !isfinite(y)) return 0;
  if (pl->logx && x <= 0) return 0;
  if (pl->logy && y <= 0) return 0;
  return 1;
}

static int write_script(FILE *f, const accq_plot_t *pl, const char *ext, const char *tmp_out) {
  if (!strcmp(ext, "png"))
    fprintf(f, "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) "
               "{ set terminal pngcairo size 900,600 noenhanced font 'sans,11' } "
               "else { set terminal png size 900,600 noenhanced }\n");
  else if (!strcmp(ext, "svg"))
    fprintf(f, "set terminal svg size 900,600 noenhanced font 'sans,11' background '#ffffff'\n");
  else
    fprintf(f, "set terminal pdfcairo size 6in,4in noenhanced font 'sans,10'\n");
  fprintf(f, "set output ");
  put_quoted(f, tmp_out);
  fprintf(f, "\nset grid\nset key top left box opaque\nset border 3\nset tics nomirror\n");
  if (pl->title) {
    fprintf(f, "set title ");
    put_quoted(f, pl->title);
    fputc('\n', f);
  }
  if (pl->xlabel) {
    fprintf(f, "set xlabel ");
    put_quoted(f, pl->xlabel);
    fputc('\n', f);
  }
  if (pl->ylabel) {
    fprintf(f, "set ylabel ");
    put_quoted(f, pl->ylabel);
    fputc('\n', f);
  }
  if (pl->logx) fprintf(f, "set logscale x\n");
  if (pl->logy) fprintf(f, "set logscale y\n");
  int drawn = 0;
  for (int s = 0; s < pl->nseries; s++) {
    const accq_plot_series_t *se = &pl->series[s];
    fprintf(f, "$d%d << EOD\n", s);
    for (int i = 0; i < se->n; i++) {
      if (!point_ok(pl, se->x[i], se->y[i])) continue;
      if (se->ylo && se->yhi) {
        double lo = se->ylo[i], hi = se->yhi[i];
        if (!isfinite(lo) || (pl->logy && lo <= 0)) lo = se->y[i];
        if (!isfinite(hi)) hi = se->y[i];
        fprintf(f, "%.17g %.17g %.17g %.17g\n", se->x[i], se->y[i], lo, hi);
      } else {
        fprintf(f, "%.17g %.17g\n", se->x[i], se->y[i]);
      }
      drawn++;
    }
    fprintf(f, "EOD\n");
  }
  if (drawn == 0) return -1;
  fprintf(f, "plot ");
  int first = 1;
  for (int s = 0; s < pl->nseries; s++) {
    const accq_plot_series_t *se = &pl->series[s];
    int any = 0;
    for (int i = 0; i < se->n; i++) any |= point_ok(pl, se->x[i], se->y[i]);
    if (!any) continue;
    if (!first) fprintf(f, ", \\\n     ");
    first = 0;
    const char *with;
    if (se->ylo && se->yhi)
      with = se->style == ACCQ_PLOT_POINTS ? "yerrorbars" : "yerrorlines";
    else
      with = se->style == ACCQ_PLOT_LINES    ? "lines"
             : se->style == ACCQ_PLOT_POINTS ? "points"
                                             : "linespoints";
    fprintf(f, "$d%d using 1:2%s with %s lw 2 %s title ", s,
            (se->ylo && se->yhi) ? ":3:4" : "", with,
            se->style == ACCQ_PLOT_LINES ? "dt 2 lc rgb 'black'" : "pt 7 ps 0.8");
    put_quoted(f, se->title ? se->title : "");
  }
  fprintf(f, "\nunset output\n");
  return 0;
}

static void read_tail(const char *path, char *buf, size_t size) {
  buf[0] = '\0';
  FILE *f = fopen(path, "r");
  if (!f) return;
  size_t n = fread(buf, 1, size - 1, f);
  buf[n] = '\0';
  fclose(f);
  while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ')) buf[--n] = '\0';
  for (char *p = buf; *p; p++)
    if (*p == '\n') *p = ' ';
}

int accq_gnuplot_render(const accq_plot_t *pl, const char *out_path, accq_err_t *err) {
  int status = ACCQ_SUCCESS;
  char gp[4096];
  char script[] = "/tmp/accq-plot-XXXXXX";
  char errlog[] = "/tmp/accq-plot-err-XXXXXX";
  char tmp_out[] = "/tmp/accq-plot-out-XXXXXX";
  int script_fd = -1, err_fd = -1, out_fd = -1;
  FILE *f = NULL;
  posix_spawn_file_actions_t fa;
  int fa_init = 0;

  const char *ext = extension(out_path);
  if (strcmp(ext, "png") && strcmp(ext, "svg") && strcmp(ext, "pdf"))
    return accq_err_set(err, ACCQ_EUSAGE,
                        "plot file '%s' must end in .png, .svg or .pdf (got '.%s')", out_path,
                        ext);
  if (!accq_gnuplot_find(gp, sizeof gp))
    return accq_err_set(err, ACCQ_EIO,
                        "cannot draw '%s': gnuplot was not found on PATH (install it, e.g. "
                        "apt-get install gnuplot-nox, or set ACCQ_GNUPLOT to its path)",
                        out_path);

  /* gnuplot draws into a temporary picture; it reaches out_path only when
   * gnuplot succeeded, through accq_outfile_copy (atomic replacement of a
   * regular file, direct writes to a device or FIFO, symlinks followed) */
  out_fd = mkstemp(tmp_out);
  if (out_fd < 0) {
    tmp_out[0] = '\0';
    status = accq_err_set(err, ACCQ_EIO, "cannot create a temporary file in /tmp: %s",
                          strerror(errno));
    goto cleanup;
  }
  close(out_fd);
  out_fd = -1;

  script_fd = mkstemp(script);
  err_fd = mkstemp(errlog);
  if (script_fd < 0 || err_fd < 0) {
    status = accq_err_set(err, ACCQ_EIO, "cannot create a temporary file in /tmp: %s",
                          strerror(errno));
    goto cleanup;
  }
  f = fdopen(script_fd, "w");
  if (!f) {
    status = accq_err_set(err, ACCQ_EIO, "cannot write the gnuplot script: %s",
                          strerror(errno));
    goto cleanup;
  }
  script_fd = -1;
  if (write_script(f, pl, ext, tmp_out) != 0) {
    status = accq_err_set(err, ACCQ_EINVAL, "nothing to plot in '%s' (no finite points)",
                          out_path);
    goto cleanup;
  }
  if (fclose(f) != 0) {
    f = NULL;
    status = accq_err_set(err, ACCQ_EIO, "cannot write the gnuplot script: %s",
                          strerror(errno));
    goto cleanup;
  }
  f = NULL;

  posix_spawn_file_actions_init(&fa);
  fa_init = 1;
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
  char *args[] = {"gnuplot", script, NULL};
  pid_t pid;
  int rc = posix_spawn(&pid, gp, &fa, NULL, args, environ);
  if (rc != 0) {
    status = accq_err_set(err, ACCQ_EIO, "cannot run gnuplot (%s): %s", gp, strerror(rc));
    goto cleanup;
  }
  int ws = 0;
  while (waitpid(pid, &ws, 0) < 0) {
    if (errno != EINTR) {
      status = accq_err_set(err, ACCQ_EIO, "waiting for gnuplot: %s", strerror(errno));
      goto cleanup;
    }
  }
  struct stat st;
  if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0 || stat(tmp_out, &st) != 0 || st.st_size == 0) {
    char msg[600];
    read_tail(errlog, msg, sizeof msg);
    status = accq_err_set(err, ACCQ_EIO, "gnuplot (%s) failed drawing '%s'%s%s", gp, out_path,
                          msg[0] ? ": " : "", msg);
    goto cleanup;
  }
  status = accq_outfile_copy(tmp_out, out_path, err);
  if (status) accq_err_prefix(err, "cannot write plot");

cleanup:
  if (fa_init) posix_spawn_file_actions_destroy(&fa);
  if (f) fclose(f);
  if (script_fd >= 0) close(script_fd);
  if (err_fd >= 0) close(err_fd);
  unlink(script);
  unlink(errlog);
  if (tmp_out[0]) unlink(tmp_out);
  return status;
}
