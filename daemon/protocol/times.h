// ISO 8601 times, as the protocol, the CLI and the views show them.
//
// format_iso8601 always writes UTC with milliseconds: "2026-11-22T06:30:00.000Z".
// parse_iso8601 accepts what remote APIs send: a date and time with "T" or a
// space, optional fraction of any length, and "Z", "+hh:mm", "+hhmm" or no
// zone (taken as UTC). Returns nullopt for anything else; never throws.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jobtrack::protocol {

std::string format_iso8601(std::int64_t epoch_ms);
std::optional<std::int64_t> parse_iso8601(std::string_view text);

// Parses an HTTP date (RFC 7231 IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT").
std::optional<std::int64_t> parse_http_date(std::string_view text);

}  // namespace jobtrack::protocol
