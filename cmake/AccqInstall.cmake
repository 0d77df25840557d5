# cmake --install: everything in its standard place (GNUInstallDirs).
#   bin/accq                                the command
#   lib*/libaccq.so.*, libaccq.a            the library, shared and static
#   include/accq/*.h                        the public headers (+ generated version.h)
#   lib*/pkgconfig/accq.pc                  pkg-config (--static for libaccq.a)
#   lib*/cmake/accq/accqConfig*.cmake       find_package(accq) -> accq::accq (shared)
#   share/accq/models/*.ini                 the bundled models (accq verify finds them)
#   share/man/man1/accq.1                   the manual page
#   share/bash-completion/completions/accq  bash completion
include(CMakePackageConfigHelpers)

install(TARGETS accq RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS accqlib ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS accq_shared EXPORT accqTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/include/accq ${ACCQ_GENERATED_INCLUDE}/accq
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h")
install(DIRECTORY ${CMAKE_SOURCE_DIR}/models/ DESTINATION ${CMAKE_INSTALL_DATADIR}/accq/models
  FILES_MATCHING PATTERN "*.ini")
install(FILES ${CMAKE_SOURCE_DIR}/docs/accq.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${CMAKE_SOURCE_DIR}/scripts/accq-completion.bash
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME accq)

# pkg-config: the libraries with a .pc file are Requires.private, the others
# (GLPK, OpenMP, libm) Libs.private; `pkg-config --static --libs accq` is the
# whole link line for libaccq.a.
set(ACCQ_PC_REQUIRES_PRIVATE "gsl arpack inih jansson gmp")
set(ACCQ_PC_LIBS_PRIVATE "-lglpk -lm")
if(OpenMP_C_FOUND)
  string(APPEND ACCQ_PC_LIBS_PRIVATE " ${OpenMP_C_FLAGS}")
endif()
string(APPEND ACCQ_PC_LIBS_PRIVATE " -pthread")
# MPI (ACCQ_MPI): Open MPI ships ompi-c.pc; other MPIs get their link line
if(ACCQ_MPI)
  find_package(PkgConfig QUIET)
  if(PKG_CONFIG_FOUND)
    pkg_check_modules(ACCQ_PC_OMPI QUIET ompi-c)
  endif()
  if(ACCQ_PC_OMPI_FOUND)
    string(APPEND ACCQ_PC_REQUIRES_PRIVATE " ompi-c")
  else()
    foreach(_l ${MPI_C_LIBRARIES})
      string(APPEND ACCQ_PC_LIBS_PRIVATE " ${_l}")
    endforeach()
  endif()
endif()
# The .pc file is relocatable: prefix is found from the file's own place
# (${pcfiledir}), so `cmake --install --prefix DIR` or DESTDIR staging give a
# working file; absolute CMAKE_INSTALL_LIBDIR/INCLUDEDIR are kept as given.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(ACCQ_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH _accq_up "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
  string(REGEX REPLACE "/$" "" _accq_up "${_accq_up}")
  set(ACCQ_PC_PREFIX "\${pcfiledir}/${_accq_up}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(ACCQ_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
else()
  set(ACCQ_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(ACCQ_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(ACCQ_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/accq.pc.in ${CMAKE_BINARY_DIR}/accq.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/accq.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# CMake package: accq::accq is the shared library (its dependencies are
# private to it, so a user's target needs nothing else)
set(ACCQ_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/accq)
install(EXPORT accqTargets NAMESPACE accq:: DESTINATION ${ACCQ_CMAKE_DIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/accqConfig.cmake.in
  ${CMAKE_BINARY_DIR}/accqConfig.cmake INSTALL_DESTINATION ${ACCQ_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/accqConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/accqConfig.cmake ${CMAKE_BINARY_DIR}/accqConfigVersion.cmake
  DESTINATION ${ACCQ_CMAKE_DIR})
