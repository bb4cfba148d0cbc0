#include <catch2/catch.hpp>

#include "cli/time_filter.h"
#include "daemon/protocol/times.h"

using namespace jobtrack::cli;

TEST_CASE("time filters take ISO 8601 or a duration ago") {
  const std::int64_t now = *jobtrack::protocol::parse_iso8601("2026-11-22T06:30:00Z");
  CHECK(parse_time_filter("2026-11-20T00:00:00+01:00", now) == "2026-11-19T23:00:00.000Z");
  CHECK(parse_time_filter("2h", now) == "2026-11-22T04:30:00.000Z");
  CHECK(parse_time_filter("1d12h", now) == "2026-11-20T18:30:00.000Z");
  auto bad = parse_time_filter("yesterday", now);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().find("yesterday") != std::string::npos);
}
