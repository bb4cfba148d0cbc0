// Human-written durations and rates, shared by the configuration and the CLI.
//
// Durations: one or more <number><unit> terms, units ms, s, m (or min), h,
// d, w; e.g. "500ms", "30s", "1h30m", "7d". A bare "0" is zero. Rates:
// "<count>/<unit>" with unit s, sec, m, min, h, hour, or "<count>/<duration>"
// e.g. "20/s", "1500/min", "10/5s". Parsers never throw: errors say what was
// wrong in words meant for the user.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace jobtrack::protocol {

tl::expected<std::int64_t, std::string> parse_duration_ms(std::string_view text);

struct Rate {
  double count = 0;         // requests allowed...
  std::int64_t per_ms = 0;  // ...per this many milliseconds
};
tl::expected<Rate, std::string> parse_rate(std::string_view text);

// "1h30m", "45s", "250ms", "3d4h"; "0s" for zero.
std::string format_duration_ms(std::int64_t ms);

}  // namespace jobtrack::protocol
