#include "cli/time_filter.h"

#include <fmt/format.h>

#include "daemon/protocol/durations.h"
#include "daemon/protocol/times.h"

namespace jobtrack::cli {

tl::expected<std::string, std::string> parse_time_filter(std::string_view text,
                                                         std::int64_t now_ms) {
  if (auto at = protocol::parse_iso8601(text)) return protocol::format_iso8601(*at);
  if (auto ago = protocol::parse_duration_ms(text)) return protocol::format_iso8601(now_ms - *ago);
  return tl::make_unexpected(fmt::format(
      "'{}' is neither an ISO 8601 time (2026-11-22T06:30:00Z) nor a duration (2h, 3d)", text));
}

}  // namespace jobtrack::cli
