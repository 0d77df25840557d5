# Writes ${OUT} (accq_git_revision.h) with `git describe --always --dirty` of
# ${SRC}, or "unknown" outside git.  Run by cmake at configure time and by the
# accq_git_revision target at every build (cmake -P), so the revision that
# `accq --version` and the provenance print is the one the binary was built
# from, not the one cmake last configured.  The file is rewritten only when
# the revision changes, so an unchanged tree recompiles nothing.
set(rev "unknown")
if(GIT AND EXISTS "${SRC}/.git")
  execute_process(COMMAND ${GIT} describe --always --dirty
    WORKING_DIRECTORY ${SRC}
    OUTPUT_VARIABLE r OUTPUT_STRIP_TRAILING_WHITESPACE
    RESULT_VARIABLE rc ERROR_QUIET)
  if(rc EQUAL 0 AND r)
    set(rev "${r}")
  endif()
endif()
set(text "/* Generated at build time by cmake/AccqGitRevision.cmake: do not edit. */\n#define ACCQ_BUILD_GIT_REVISION \"${rev}\"\n")
set(old "")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT "${old}" STREQUAL "${text}")
  file(WRITE "${OUT}" "${text}")
endif()
