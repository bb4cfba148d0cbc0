#include <catch2/catch.hpp>

#include "daemon/poll_result.h"

using jobtrack::Observation;
using jobtrack::PollResult;
using jobtrack::RowResult;

TEST_CASE("redact replaces every copy of the token in what the remote sent") {
  PollResult result;
  result.error = "HTTP 401: key s3cret refused (s3cret)";
  Observation observation;
  observation.remote_status = "s3cret";
  observation.error_message = "echo: x-api-key: s3cret";
  observation.result_url = "https://r.example/?key=s3cret";
  observation.detail_json = R"({"k":"s3cret"})";
  RowResult row;
  row.record_id = "s3cret";
  row.error_message = "s3crets3cret";
  observation.rows.push_back(row);
  result.observation = observation;

  jobtrack::redact(result, "s3cret");
  CHECK(result.error == "HTTP 401: key [redacted] refused ([redacted])");
  CHECK(result.observation->remote_status == "[redacted]");
  CHECK(*result.observation->error_message == "echo: x-api-key: [redacted]");
  CHECK(*result.observation->result_url == "https://r.example/?key=[redacted]");
  CHECK(*result.observation->detail_json == R"({"k":"[redacted]"})");
  CHECK(*result.observation->rows[0].record_id == "[redacted]");
  CHECK(*result.observation->rows[0].error_message == "[redacted][redacted]");
}

TEST_CASE("redact with no token changes nothing") {
  PollResult result;
  result.error = "HTTP 500";
  jobtrack::redact(result, "");
  CHECK(result.error == "HTTP 500");
}

TEST_CASE("a token found inside the mark itself does not loop") {
  PollResult result;
  result.error = "dact-dact";
  jobtrack::redact(result, "dact");
  CHECK(result.error == "[redacted]-[redacted]");
}
