// libFuzzer driver of fuzz_durations (fuzz/targets.h).
#include <cstddef>
#include <cstdint>

#include "fuzz/targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  jobtrack::fuzz::fuzz_durations(data, size);
  return 0;
}
