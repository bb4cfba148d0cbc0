# jobtrack_sanitizers: ASan + UBSan (LeakSanitizer comes with ASan on Linux)
# when JOBTRACK_SANITIZE is on; empty otherwise. Every target links it.
add_library(jobtrack_sanitizers INTERFACE)
if(JOBTRACK_SANITIZE)
  set(_jobtrack_san -fsanitize=address,undefined -fno-sanitize-recover=undefined
      -fno-omit-frame-pointer)
  target_compile_options(jobtrack_sanitizers INTERFACE ${_jobtrack_san})
  target_link_options(jobtrack_sanitizers INTERFACE ${_jobtrack_san})
endif()
if(JOBTRACK_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "JOBTRACK_FUZZ needs clang++ (libFuzzer)")
  endif()
  # Instrument every object for coverage; the fuzz executables add the driver.
  target_compile_options(jobtrack_sanitizers INTERFACE -fsanitize=fuzzer-no-link)
endif()
