// --since / --until of `jobtrackctl list`: an ISO 8601 time, or a duration
// ("2h", "1d12h") meaning that long before `now_ms`. Either becomes the
// ISO 8601 UTC text the daemon's List takes. Pure; any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace jobtrack::cli {

tl::expected<std::string, std::string> parse_time_filter(std::string_view text,
                                                         std::int64_t now_ms);

}  // namespace jobtrack::cli
