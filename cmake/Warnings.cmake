# jobtrack_warnings: the warning set every project target links privately.
# -Wnull-dereference is left out: at -O2 it fires inside libstdc++ and CLI11.
add_library(jobtrack_warnings INTERFACE)
target_compile_options(jobtrack_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Werror
  -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Wunused
  -Woverloaded-virtual -Wconversion -Wsign-conversion
  -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough
  $<$<CXX_COMPILER_ID:GNU>:-Wduplicated-cond -Wlogical-op>
  $<$<CXX_COMPILER_ID:Clang>:-Wthread-safety>
)
