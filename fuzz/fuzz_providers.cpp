// libFuzzer driver of fuzz_providers (fuzz/targets.h).
#include <cstddef>
#include <cstdint>

#include "fuzz/targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  jobtrack::fuzz::fuzz_providers(data, size);
  return 0;
}
