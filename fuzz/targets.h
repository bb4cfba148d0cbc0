// Entry points of the fuzzers, as plain functions: each takes one input of
// arbitrary bytes and runs it through a parser that faces hostile input.
// The libFuzzer executables in this folder call them from
// LLVMFuzzerTestOneInput; tests/unit/fuzz_regressions_test.cpp replays the
// seed corpus and every saved crash through them in the ordinary build.
//
// A function returns normally on any input: bad input is an error value in
// the code under test, never a crash, an exception escaping, a leak or
// undefined behaviour (the sanitizers catch those). Single-threaded; the
// provider fuzzer builds its providers once, on first use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace jobtrack::fuzz {

// Varlink framing (MessageReader, fed in pieces whose sizes come from the
// input), parse_call, every Params getter and the reply encoders.
void fuzz_varlink(const std::uint8_t* data, std::size_t size);
// parse_status, error_message and is_no_such_job of every provider that
// make_provider builds in this build; and a body that both FieldReader and
// FlatFieldReader take must read the same through both.
void fuzz_providers(const std::uint8_t* data, std::size_t size);
// parse_config, then build_endpoints without resolving tokens.
void fuzz_config(const std::uint8_t* data, std::size_t size);
// Durations, rates, ISO 8601 and HTTP dates, and their formatters.
void fuzz_durations(const std::uint8_t* data, std::size_t size);

struct Target {
  std::string_view name;  // as in fuzz/corpus/<name>/ and fuzz/regressions/<name>/
  void (*run)(const std::uint8_t* data, std::size_t size);
};

// Every target above, by name.
const std::vector<Target>& targets();

}  // namespace jobtrack::fuzz
