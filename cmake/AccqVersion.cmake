# Version and build information, generated at configure time into
# ${ACCQ_GENERATED_INCLUDE}:
#   accq/version.h        public (installed): ACCQ_VERSION "0.1.0" and its parts
#   accq_build_info.h     private: git revision and the dependency versions the
#                         library was built against (accq --version, provenance)
# The git revision is `git describe --always --dirty` of the source tree when
# it is a git checkout, "unknown" otherwise (a release tarball); it is taken
# when cmake configures (re-run cmake to refresh it after new commits).
set(ACCQ_GENERATED_INCLUDE ${CMAKE_BINARY_DIR}/generated)
set(ACCQ_GIT_REVISION "unknown")
find_package(Git QUIET)
if(GIT_FOUND AND EXISTS ${CMAKE_SOURCE_DIR}/.git)
  execute_process(COMMAND ${GIT_EXECUTABLE} describe --always --dirty
    WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
    OUTPUT_VARIABLE _accq_git OUTPUT_STRIP_TRAILING_WHITESPACE
    RESULT_VARIABLE _accq_git_rc ERROR_QUIET)
  if(_accq_git_rc EQUAL 0 AND _accq_git)
    set(ACCQ_GIT_REVISION "${_accq_git}")
  endif()
endif()

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
