/* accq's version, git revision and the versions of the libraries it uses
 * (accq/version.h).  Built-time versions come from pkg-config at configure
 * time (cmake/AccqVersion.cmake) or from the libraries' headers; running
 * versions from the libraries themselves where they report one, so a
 * shared library swapped under accq shows. */
#include <glpk.h>
#include <gmp.h>
#include <gsl/gsl_version.h>
#include <jansson.h>
#include <stdio.h>

#include "accq/version.h"
#include "accq_build_info.h"
#include "accq_git_revision.h"

#define ACCQ_STR2(x) #x
#define ACCQ_STR(x) ACCQ_STR2(x)

const char *accq_version(void) { return ACCQ_VERSION; }

const char *accq_version_git(void) { return ACCQ_BUILD_GIT_REVISION; }

/* _OPENMP is the date (yyyymm) of the specification the compiler implements */
static const char *openmp_running(void) {
#ifdef _OPENMP
  switch (_OPENMP) {
    case 201107: return "3.1";
    case 201307: return "4.0";
    case 201511: return "4.5";
    case 201811: return "5.0";
    case 202011: return "5.1";
    case 202111: return "5.2";
    default: return "_OPENMP " ACCQ_STR(_OPENMP);
  }
#else
  return NULL;
#endif
}

static const char *jansson_running(void) {
#if JANSSON_VERSION_HEX >= 0x020d00 /* jansson_version_str() since 2.13 */
  return jansson_version_str();
#else
  return NULL;
#endif
}

const accq_version_lib_t *accq_version_libraries(int *n) {
  static char glpk_running[32];
  static accq_version_lib_t libs[9];
  /* glp_version() returns a static string; copied so the table is plain data */
  snprintf(glpk_running, sizeof glpk_running, "%s", glp_version());
  const accq_version_lib_t t[] = {
      {"GLPK", ACCQ_STR(GLP_MAJOR_VERSION) "." ACCQ_STR(GLP_MINOR_VERSION), glpk_running},
      {"GSL", GSL_VERSION, gsl_version},
      {"ARPACK-ng", ACCQ_BUILD_ARPACK_VERSION, NULL},
      {"inih", ACCQ_BUILD_INIH_VERSION, NULL},
      {"jansson", JANSSON_VERSION, jansson_running()},
      {"GMP", ACCQ_STR(__GNU_MP_VERSION) "." ACCQ_STR(__GNU_MP_VERSION_MINOR) "." ACCQ_STR(
                  __GNU_MP_VERSION_PATCHLEVEL),
       gmp_version},
      {"Check (tests, build time)", ACCQ_BUILD_CHECK_VERSION, NULL},
      {"OpenMP", ACCQ_BUILD_OPENMP_VERSION, openmp_running()},
      {"C compiler", ACCQ_BUILD_COMPILER, NULL},
  };
  for (int i = 0; i < 9; i++) libs[i] = t[i];
  if (n) *n = 9;
  return libs;
}
