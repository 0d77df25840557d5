/* Where the bundled models are: ACCQ_MODELS_DIR (environment), next to the
 * executable, or the source tree's models/ (compile-time ACCQ_MODELS_DIR). */
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accq/verify.h"

#ifndef ACCQ_MODELS_DIR
#define ACCQ_MODELS_DIR "models"
#endif

static int list_dir(const char *dir, char (*paths)[1024], int cap, int *n) {
  char pat[1100];  /* dir is < 1024 */
  snprintf(pat, sizeof pat, "%.1000s/*.ini", dir);
  glob_t g;
  memset(&g, 0, sizeof g);
  if (glob(pat, 0, NULL, &g) != 0 || g.gl_pathc == 0) {
    globfree(&g);
    return 0;
  }
  *n = 0;
  for (size_t i = 0; i < g.gl_pathc && *n < cap; i++)
    snprintf(paths[(*n)++], 1024, "%s", g.gl_pathv[i]); /* glob sorts */
  globfree(&g);
  return 1;
}

int accq_verify_bundled_models(char (*paths)[1024], int cap, int *n, char *dir, int dirsize,
                               accq_err_t *err) {
  char cand[5][1024];
  int nc = 0;
  const char *env = getenv("ACCQ_MODELS_DIR");
  if (env && *env) {
    /* an explicit directory is the only one looked at */
    *n = 0;
    if (list_dir(env, paths, cap, n)) {
      if (dir) snprintf(dir, (size_t)dirsize, "%s", env);
      return ACCQ_SUCCESS;
    }
    return accq_err_set(err, ACCQ_EIO, "no model files (*.ini) in ACCQ_MODELS_DIR=%.900s", env);
  }
  char exe[1024];
  ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (len > 0) {
    exe[len] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash) {
      *slash = '\0';
      snprintf(cand[nc++], 1024, "%.900s/models", exe);
      snprintf(cand[nc++], 1024, "%.900s/../models", exe);
      snprintf(cand[nc++], 1024, "%.900s/../share/accq/models", exe);
    }
  }
  snprintf(cand[nc++], 1024, "%s", ACCQ_MODELS_DIR);
  *n = 0;
  for (int i = 0; i < nc; i++)
    if (list_dir(cand[i], paths, cap, n)) {
      if (dir) snprintf(dir, (size_t)dirsize, "%s", cand[i]);
      return ACCQ_SUCCESS;
    }
  return accq_err_set(err, ACCQ_EIO,
                      "no bundled models found (looked for *.ini in %s%s%s); give model files "
                      "or set ACCQ_MODELS_DIR",
                      cand[0], nc > 1 ? " and " : "", cand[nc - 1]);
}
