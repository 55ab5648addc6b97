# SPDX-License-Identifier: MIT
#
# Valgrind memcheck for the C tests, one definition for native/CMakeLists.txt and pam/CMakeLists.txt
# (each includes this file and keeps its own switch: OTPD_VALGRIND, off unless asked for, in native/;
# OTPD_PAM_VALGRIND, on when valgrind is found, in pam/):
#
#   OTPD_VALGRIND_EXE             valgrind's path, or OTPD_VALGRIND_EXE-NOTFOUND
#   OTPD_VALGRIND_ARGS            what every memcheck run is given: any error or leak fails it (99)
#   otpd_require_valgrind(<why>)  stops the configure when valgrind is not found
#   otpd_add_memcheck_test(<t>)   registers memcheck_<t>: the executable target <t> under memcheck,
#                                 with the label "valgrind" (`ctest -L valgrind`)
include_guard(GLOBAL)

find_program(OTPD_VALGRIND_EXE valgrind)
set(OTPD_VALGRIND_ARGS --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=all)

function(otpd_require_valgrind why)
  if(NOT OTPD_VALGRIND_EXE)
    message(FATAL_ERROR "${why}, but valgrind was not found (Debian: apt-get install valgrind)")
  endif()
endfunction()

function(otpd_add_memcheck_test name)
  add_test(NAME memcheck_${name} COMMAND ${OTPD_VALGRIND_EXE} ${OTPD_VALGRIND_ARGS} $<TARGET_FILE:${name}>)
  set_tests_properties(memcheck_${name} PROPERTIES LABELS valgrind)
endfunction()
