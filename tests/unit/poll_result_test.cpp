#include "daemon/poll_result.h"

#include <catch2/catch.hpp>

#include "daemon/protocol/times.h"

using jobtrack::classify;
using jobtrack::HttpResponse;
using jobtrack::Observation;
using jobtrack::parse_retry_after;
using jobtrack::PollOutcome;
using jobtrack::State;

namespace {

// Reads "state:remote" bodies; "bad" is unreadable. 404s with body "elsewhere" are not "no such
// job".
class FakeProvider final : public jobtrack::Provider {
 public:
  jobtrack::HttpRequest request(std::string_view, std::string_view) const override { return {}; }

  tl::expected<Observation, std::string> parse_status(std::string_view body) const override {
    if (body == "bad") return tl::make_unexpected(std::string("field status is missing"));
    Observation out;
    auto colon = body.find(':');
    out.state = jobtrack::parse_state(body.substr(0, colon));
    out.remote_status =
        std::string(colon == std::string_view::npos ? body : body.substr(colon + 1));
    return out;
  }

  bool is_no_such_job(const HttpResponse& response) const override {
    return response.body != "elsewhere";
  }
};

constexpr jobtrack::Millis kNow = 1'700'000'000'000;

HttpResponse response(long status, std::string body = {}) {
  HttpResponse out;
  out.status = status;
  out.body = std::move(body);
  out.latency = 42;
  return out;
}

}  // namespace

TEST_CASE("classify: a 2xx body the provider reads is a status") {
  FakeProvider provider;
  auto result = classify(provider, response(200, "running:InProgress"), kNow);
  CHECK(result.outcome == PollOutcome::status);
  REQUIRE(result.observation);
  CHECK(result.observation->state == State::running);
  CHECK(result.error.empty());
  CHECK(result.http_status == 200);
  CHECK(result.latency == 42);
  CHECK(classify(provider, response(204, "succeeded:done"), kNow).outcome == PollOutcome::status);
}

TEST_CASE("classify: an unreadable or unmapped 2xx body is a bad response") {
  FakeProvider provider;
  auto bad = classify(provider, response(200, "bad"), kNow);
  CHECK(bad.outcome == PollOutcome::bad_response);
  CHECK(bad.error == "field status is missing");
  CHECK_FALSE(bad.observation);

  auto unknown = classify(provider, response(200, "weird:Paused"), kNow);
  CHECK(unknown.outcome == PollOutcome::bad_response);
  CHECK(unknown.error == "unknown remote status \"Paused\"");
  REQUIRE(unknown.observation);
  CHECK_FALSE(unknown.observation->state);
}

TEST_CASE("classify: 404 asks the provider whether the job is gone") {
  FakeProvider provider;
  auto gone = classify(
      provider, response(404, R"({"detail": "Job 7 not found", "title": "Not Found"})"), kNow);
  CHECK(gone.outcome == PollOutcome::gone);
  CHECK(gone.error == "HTTP 404: Not Found: Job 7 not found");
  CHECK(classify(provider, response(404, "elsewhere"), kNow).outcome == PollOutcome::client_error);
  CHECK(classify(provider, response(404), kNow).error == "HTTP 404");
}

TEST_CASE("classify: 401 and 403 are authentication problems") {
  FakeProvider provider;
  CHECK(classify(provider, response(401), kNow).outcome == PollOutcome::auth);
  auto forbidden =
      classify(provider, response(403, R"({"errors": [{"message": "Forbidden"}]})"), kNow);
  CHECK(forbidden.outcome == PollOutcome::auth);
  CHECK(forbidden.error == "HTTP 403: Forbidden");
}

TEST_CASE("classify: 429 is retried after Retry-After, in seconds or as an HTTP date") {
  FakeProvider provider;
  auto seconds = response(429);
  seconds.retry_after = "120";
  auto result = classify(provider, seconds, kNow);
  CHECK(result.outcome == PollOutcome::retry);
  CHECK(result.retry_after == 120'000);

  auto date = response(429);
  date.retry_after = jobtrack::protocol::format_iso8601(kNow);  // not an HTTP date
  CHECK_FALSE(classify(provider, date, kNow).retry_after);
  date.retry_after = "Tue, 14 Nov 2023 22:14:20 GMT";  // kNow is 22:13:20
  CHECK(classify(provider, date, kNow).retry_after == 60'000);
  date.retry_after = "Tue, 14 Nov 2023 22:00:00 GMT";  // in the past: retry at once
  CHECK(classify(provider, date, kNow).retry_after == 0);

  auto garbage = response(429);
  garbage.retry_after = "soon";
  CHECK(classify(provider, garbage, kNow).outcome == PollOutcome::retry);
  CHECK_FALSE(classify(provider, garbage, kNow).retry_after);
}

TEST_CASE("parse_retry_after trims, caps and refuses") {
  CHECK(parse_retry_after(" 5 \r", kNow) == 5'000);
  CHECK(parse_retry_after("0", kNow) == 0);
  CHECK(parse_retry_after("99999999999", kNow) == 7LL * 24 * 3600 * 1000);
  for (const char* bad : {"", "-1", "1.5", "5s", "99999999999999999999999"}) {
    INFO(bad);
    CHECK_FALSE(parse_retry_after(bad, kNow));
  }
}

TEST_CASE("classify: 5xx and 408 are retried") {
  FakeProvider provider;
  for (long status : {500L, 502L, 503L, 504L, 599L, 408L}) {
    INFO(status);
    CHECK(classify(provider, response(status), kNow).outcome == PollOutcome::retry);
  }
  auto unavailable = response(503);
  unavailable.retry_after = "7";
  CHECK(classify(provider, unavailable, kNow).retry_after == 7'000);
}

TEST_CASE("classify: 3xx and other 4xx are client errors") {
  FakeProvider provider;
  auto moved = classify(provider, response(301, "<html>moved</html>"), kNow);
  CHECK(moved.outcome == PollOutcome::client_error);
  CHECK(moved.error == "HTTP 301: redirect not followed");
  CHECK(classify(provider, response(304), kNow).outcome == PollOutcome::client_error);
  auto invalid = classify(provider, response(400, R"({"title": "Bad id"})"), kNow);
  CHECK(invalid.outcome == PollOutcome::client_error);
  CHECK(invalid.error == "HTTP 400: Bad id");
  CHECK(classify(provider, response(410), kNow).outcome == PollOutcome::client_error);
}

TEST_CASE("classify: a long error message is cut") {
  FakeProvider provider;
  auto result = classify(
      provider, response(500, nlohmann::json{{"detail", std::string(5000, 'x')}}.dump()), kNow);
  CHECK(result.error.size() < 600);
  CHECK_THAT(result.error, Catch::EndsWith("..."));
}

TEST_CASE("classify: too large bodies and transport errors") {
  FakeProvider provider;
  auto large = response(200, "succeeded:done");
  large.too_large = true;
  auto too_large = classify(provider, large, kNow);
  CHECK(too_large.outcome == PollOutcome::bad_response);
  CHECK(too_large.error == "response larger than max_response_size");
  CHECK_FALSE(too_large.observation);

  HttpResponse failed;
  failed.transport_error = "Could not resolve host: api.example.com";
  auto transport = classify(provider, failed, kNow);
  CHECK(transport.outcome == PollOutcome::retry);
  CHECK(transport.error == "Could not resolve host: api.example.com");
  CHECK_FALSE(transport.http_status);

  HttpResponse timed_out;
  timed_out.transport_error = "Operation timed out after 30000 milliseconds";
  timed_out.timed_out = true;
  CHECK(classify(provider, timed_out, kNow).outcome == PollOutcome::retry);
}

TEST_CASE("outcomes have the names the polls table uses") {
  CHECK(to_string(PollOutcome::status) == "ok");
  CHECK(to_string(PollOutcome::gone) == "gone");
  CHECK(to_string(PollOutcome::retry) == "retry");
  CHECK(to_string(PollOutcome::auth) == "auth");
  CHECK(to_string(PollOutcome::client_error) == "client_error");
  CHECK(to_string(PollOutcome::bad_response) == "bad_response");
}
