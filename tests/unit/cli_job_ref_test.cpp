#include <catch2/catch.hpp>

#include "cli/job_ref.h"

using jobtrack::cli::parse_job_ref;
using nlohmann::json;

TEST_CASE("a JOB of digits is a local id") {
  CHECK(parse_job_ref("42").value() == json{{"id", 42}});
  CHECK(parse_job_ref("007").value() == json{{"id", 7}});
  CHECK(parse_job_ref("9223372036854775807").value() == json{{"id", 9223372036854775807LL}});
}

TEST_CASE("a JOB with a colon is ENDPOINT:REMOTE_ID split on the first colon") {
  CHECK(parse_job_ref("prism:abc").value() == json{{"endpoint", "prism"}, {"remote_id", "abc"}});
  CHECK(parse_job_ref("ogc:urn:job:7").value() ==
        json{{"endpoint", "ogc"}, {"remote_id", "urn:job:7"}});
  CHECK(parse_job_ref("ttd:123").value() == json{{"endpoint", "ttd"}, {"remote_id", "123"}});
  CHECK(parse_job_ref("a::").value() == json{{"endpoint", "a"}, {"remote_id", ":"}});
}

TEST_CASE("anything else is a usage error that quotes the input") {
  for (const char* bad : {"", "abc", "-5", "4.2", ":abc", "prism:", ":", "99999999999999999999"}) {
    INFO(bad);
    auto parsed = parse_job_ref(bad);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().find(std::string("'") + bad + "'") != std::string::npos);
  }
}
