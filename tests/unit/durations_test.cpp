#include "daemon/protocol/durations.h"

#include <catch2/catch.hpp>

using jobtrack::protocol::format_duration_ms;
using jobtrack::protocol::parse_duration_ms;
using jobtrack::protocol::parse_rate;

TEST_CASE("parse_duration_ms reads single and combined units") {
  CHECK(parse_duration_ms("500ms").value() == 500);
  CHECK(parse_duration_ms("30s").value() == 30'000);
  CHECK(parse_duration_ms("1.5s").value() == 1'500);
  CHECK(parse_duration_ms("2m").value() == 120'000);
  CHECK(parse_duration_ms("1h30m").value() == 5'400'000);
  CHECK(parse_duration_ms("7d").value() == 604'800'000);
  CHECK(parse_duration_ms("1w").value() == 604'800'000);
  CHECK(parse_duration_ms("0").value() == 0);
}

TEST_CASE("parse_duration_ms refuses malformed text with a reason") {
  for (const char* bad : {"", "5", "s", "5x", "-5s", "1h-", "5 s", "abc", "1e400s"}) {
    INFO(bad);
    auto parsed = parse_duration_ms(bad);
    REQUIRE_FALSE(parsed);
    CHECK_FALSE(parsed.error().empty());
  }
}

TEST_CASE("parse_rate reads count per period") {
  auto per_second = parse_rate("20/s").value();
  CHECK(per_second.count == 20);
  CHECK(per_second.per_ms == 1000);
  auto per_minute = parse_rate("1500/min").value();
  CHECK(per_minute.count == 1500);
  CHECK(per_minute.per_ms == 60'000);
  CHECK(parse_rate("10/5s").value().per_ms == 5000);
  CHECK_FALSE(parse_rate("20"));
  CHECK_FALSE(parse_rate("0/s"));
  CHECK_FALSE(parse_rate("x/s"));
  CHECK_FALSE(parse_rate("5/fortnight"));
}

TEST_CASE("format_duration_ms prints at most two adjacent units") {
  CHECK(format_duration_ms(0) == "0s");
  CHECK(format_duration_ms(250) == "250ms");
  CHECK(format_duration_ms(45'000) == "45s");
  CHECK(format_duration_ms(5'400'000) == "1h30m");
  CHECK(format_duration_ms(3'605'000) == "1h");
  CHECK(format_duration_ms(90'061'000) == "1d1h");
}
