# Version and build information, generated at configure time into
# ${ACCQ_GENERATED_INCLUDE}:
#   accq/version.h        public (installed): ACCQ_VERSION "0.1.0" and its parts
#   accq_build_info.h     private: git revision and the dependency versions the
#                         library was built against (accq --version, provenance)
# The git revision is `git describe --always --dirty` of the source tree when
# it is a git checkout, "unknown" otherwise (a release tarball); it is taken
# at every build (accq_git_revision.h, target accq_git_revision).
set(ACCQ_GENERATED_INCLUDE ${CMAKE_BINARY_DIR}/generated)
find_package(Git QUIET)
set(_accq_rev_args -DSRC=${CMAKE_SOURCE_DIR} -DGIT=${GIT_EXECUTABLE}
    -DOUT=${ACCQ_GENERATED_INCLUDE}/accq_git_revision.h
    -P ${CMAKE_CURRENT_LIST_DIR}/AccqGitRevision.cmake)
execute_process(COMMAND ${CMAKE_COMMAND} ${_accq_rev_args})
add_custom_target(accq_git_revision
  COMMAND ${CMAKE_COMMAND} ${_accq_rev_args}
  BYPRODUCTS ${ACCQ_GENERATED_INCLUDE}/accq_git_revision.h
  COMMENT "accq: git revision of the source tree")

# dependency versions as pkg-config reports them (GLPK has no .pc file: its
# header's macros give the version, see src/report/version.c)
foreach(_d GSL ARPACK INIH JANSSON GMP CHECK)
  if(${_d}_VERSION)
    set(ACCQ_${_d}_VERSION "${${_d}_VERSION}")
  else()
    set(ACCQ_${_d}_VERSION "unknown")
  endif()
endforeach()
if(OpenMP_C_FOUND)
  set(ACCQ_OPENMP_VERSION "${OpenMP_C_VERSION}")
else()
  set(ACCQ_OPENMP_VERSION "none")
endif()
set(ACCQ_COMPILER "${CMAKE_C_COMPILER_ID} ${CMAKE_C_COMPILER_VERSION}")

configure_file(${CMAKE_CURRENT_LIST_DIR}/version.h.in ${ACCQ_GENERATED_INCLUDE}/accq/version.h @ONLY)
configure_file(${CMAKE_CURRENT_LIST_DIR}/accq_build_info.h.in
               ${ACCQ_GENERATED_INCLUDE}/accq_build_info.h @ONLY)
