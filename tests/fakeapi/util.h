// Small text and time helpers shared by the fake API server: ISO 8601
// rendering, percent-decoding, splitting and integer parsing.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace jobtrack::fakeapi {

// Bodies keep the order in which fields are written, as real APIs do.
using Json = nlohmann::ordered_json;
using SysTime = std::chrono::system_clock::time_point;
using SteadyTime = std::chrono::steady_clock::time_point;

// "2024-05-01T12:00:00.123Z" (UTC, milliseconds).
std::string iso8601(SysTime time);
std::int64_t epoch_ms(SysTime time);

// Decodes %XX escapes; an invalid escape is kept as it is. '+' becomes a
// space only when plus_as_space (query strings), never in paths.
std::string percent_decode(std::string_view text, bool plus_as_space);

std::vector<std::string_view> split(std::string_view text, char separator);
std::string lowercase(std::string_view text);
bool iequals(std::string_view a, std::string_view b);

// The whole text must be a decimal int64 (optional leading '-').
std::optional<std::int64_t> parse_int64(std::string_view text);

}  // namespace jobtrack::fakeapi
