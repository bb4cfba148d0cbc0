# jobtrack_warnings: the warning set every project target links privately.
# -Wnull-dereference is left out: at -O2 it fires inside libstdc++ and CLI11;
# g++ 12's -Wmaybe-uninitialized misfires on std::optional at -O2, so it stays a
# warning there rather than an error. Its flow-based buffer warnings
# (-Warray-bounds, -Wstringop-*, -Wrestrict) misfire inside std::string once
# the standard headers come from a precompiled header (cmake/Precompiled.cmake)
# and are no longer treated as system headers; they are off for g++, and the
# sanitizer build checks the same bounds at run time.
add_library(jobtrack_warnings INTERFACE)
target_compile_options(jobtrack_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Werror
  -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Wunused
  -Woverloaded-virtual -Wconversion -Wsign-conversion
  -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough
  $<$<CXX_COMPILER_ID:GNU>:-Wduplicated-cond -Wlogical-op -Wno-error=maybe-uninitialized
    -Wno-array-bounds -Wno-stringop-overflow -Wno-stringop-overread -Wno-restrict>
  $<$<CXX_COMPILER_ID:Clang>:-Wthread-safety>
)
