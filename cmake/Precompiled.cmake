# jobtrack_precompile(TARGET HEADER...): precompiles the heavy third-party
# headers nearly every file of TARGET includes (nlohmann/json, fmt, CLI11,
# Catch2), which otherwise dominate the build's time. JOBTRACK_PCH=OFF turns
# it off, e.g. to check that every file includes what it uses.
option(JOBTRACK_PCH "Precompile heavy third-party headers" ON)

set(JOBTRACK_PCH_COMMON <string> <vector> <optional> <memory> <chrono> <functional>
    <nlohmann/json.hpp> <fmt/format.h> <tl/expected.hpp>)

function(jobtrack_precompile target)
  if(JOBTRACK_PCH)
    target_precompile_headers(${target} PRIVATE ${ARGN})
  endif()
endfunction()

# jobtrack_reuse_precompiled(TARGET FROM): TARGET uses FROM's precompiled
# header; both must be compiled with the same flags and definitions.
function(jobtrack_reuse_precompiled target from)
  if(JOBTRACK_PCH)
    target_precompile_headers(${target} REUSE_FROM ${from})
  endif()
endfunction()
