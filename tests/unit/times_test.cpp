#include "daemon/protocol/times.h"

#include <catch2/catch.hpp>

using jobtrack::protocol::format_iso8601;
using jobtrack::protocol::parse_http_date;
using jobtrack::protocol::parse_iso8601;

TEST_CASE("format_iso8601 writes UTC with milliseconds") {
  CHECK(format_iso8601(0) == "1970-01-01T00:00:00.000Z");
  CHECK(format_iso8601(1'577'470'279'117) == "2019-12-27T18:11:19.117Z");
  CHECK(format_iso8601(951'782'400'000) == "2000-02-29T00:00:00.000Z");
  CHECK(format_iso8601(253'402'300'799'999) == "9999-12-31T23:59:59.999Z");
  CHECK(format_iso8601(253'402'300'800'000) == "10000-01-01T00:00:00.000Z");
  CHECK(format_iso8601(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(format_iso8601(-62'135'596'800'000) == "0001-01-01T00:00:00.000Z");
}

TEST_CASE("parse_iso8601 accepts the forms remote APIs send") {
  CHECK(parse_iso8601("2019-12-27T18:11:19.117Z") == 1'577'470'279'117);
  CHECK(parse_iso8601("2019-12-27T18:11:19Z") == 1'577'470'279'000);
  CHECK(parse_iso8601("2019-12-27 18:11:19.1171234") == 1'577'470'279'117);
  CHECK(parse_iso8601("2019-12-27T19:11:19.117+01:00") == 1'577'470'279'117);
  CHECK(parse_iso8601("2019-12-27T13:11:19.117-0500") == 1'577'470'279'117);
  CHECK(parse_iso8601("2019-12-27T18:11Z") == 1'577'470'260'000);
}

TEST_CASE("parse_iso8601 refuses what is not a time") {
  for (const char* bad :
       {"", "yesterday", "2019-13-01T00:00:00Z", "2019-12-27", "2019-12-27T25:00:00Z",
        "2019-12-27T18:11:19.Z", "2019-12-27T18:11:19Zjunk", "２０１９"}) {
    INFO(bad);
    CHECK_FALSE(parse_iso8601(bad).has_value());
  }
}

TEST_CASE("parse_http_date reads IMF-fixdate") {
  CHECK(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == 784'111'777'000);
  CHECK_FALSE(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT").has_value());
  CHECK_FALSE(parse_http_date("120").has_value());
}
