#include <catch2/catch.hpp>

#include "daemon/protocol/times.h"
#include "tests/unit/provider_support.h"

using jobtrack::State;
using jobtrack::protocol::parse_iso8601;
using namespace jobtrack::testing;

namespace {

const nlohmann::json kExample = {
    {"id", 412651},
    {"status", "Success"},
    {"completionPercentage", 100.0},
    {"url", "https://ttd-results.example.com/412651.csv?sig=abc"},
    {"rawResult", nullptr},
    {"errors", nullptr},
    {"createdAtUtc", "2025-03-01T10:00:00.000Z"},
    {"completedAtUtc", "2025-03-01T10:05:30.250Z"},
};

std::unique_ptr<jobtrack::Provider> ttd() {
  return make(endpoint("ttd-standard", "https://api.example.com/v3/"));
}

nlohmann::json with(nlohmann::json body, const std::string& key, nlohmann::json value) {
  body[key] = std::move(value);
  return body;
}

}  // namespace

TEST_CASE("ttd-standard asks GET /standardjob/{id}/status with TTD-Auth") {
  auto provider = ttd();
  auto request = provider->request("412651", "secret-token");
  CHECK(request.url == "https://api.example.com/v3/standardjob/412651/status");
  CHECK(request.headers ==
        std::vector<std::string>{"Accept: application/json", "TTD-Auth: secret-token"});
  CHECK(provider->request("412651", "").headers ==
        std::vector<std::string>{"Accept: application/json"});
  // Ids are checked at Track, yet a request never lets one escape its segment.
  CHECK(provider->request("../x?y#z %2F é", "t").url ==
        "https://api.example.com/v3/standardjob/..%2Fx%3Fy%23z%20%252F%20%C3%A9/status");
}

TEST_CASE("ttd-standard accepts only 64-bit integer ids") {
  auto provider = ttd();
  for (const char* good : {"412651", "0", "9223372036854775807", "-1"}) {
    INFO(good);
    CHECK(provider->check_remote_id(good));
  }
  for (const char* bad : {"", "abc", "12a", " 12", "12 ", "1.5", "+1", "9223372036854775808",
                          "0x10", "1e3", "../x?y#z %2F é"}) {
    INFO(bad);
    auto checked = provider->check_remote_id(bad);
    REQUIRE_FALSE(checked);
    CHECK_THAT(checked.error(), Catch::Contains("64-bit integer"));
  }
}

TEST_CASE("ttd-standard reads a finished job and its 24 h expiry") {
  auto seen = parse_ok(*ttd(), kExample.dump());
  CHECK(seen.state == State::succeeded);
  CHECK(seen.remote_status == "Success");
  CHECK(seen.progress == 100.0);
  CHECK(seen.result_url == "https://ttd-results.example.com/412651.csv?sig=abc");
  CHECK_FALSE(seen.error_message);
  CHECK(seen.remote_created_at == parse_iso8601("2025-03-01T10:00:00.000Z"));
  CHECK(seen.finished_at == parse_iso8601("2025-03-01T10:05:30.250Z"));
  CHECK(seen.expires_at == parse_iso8601("2025-03-02T10:05:30.250Z"));
  CHECK_FALSE(seen.detail_json);
  CHECK_FALSE(seen.has_rows);
}

TEST_CASE("ttd-standard maps every status") {
  auto provider = ttd();
  const std::pair<const char*, State> cases[] = {{"InProgress", State::running},
                                                 {"Success", State::succeeded},
                                                 {"PartialSuccess", State::partial},
                                                 {"Failure", State::failed},
                                                 {"ResultsExpired", State::expired}};
  for (const auto& [status, state] : cases) {
    INFO(status);
    auto seen = parse_ok(*provider, with(kExample, "status", status).dump());
    CHECK(seen.state == state);
    CHECK(seen.remote_status == status);
  }
}

TEST_CASE("ttd-standard reads a running job without completion") {
  nlohmann::json body = {{"id", 7},
                         {"status", "InProgress"},
                         {"completionPercentage", 42.5},
                         {"url", nullptr},
                         {"errors", nullptr},
                         {"createdAtUtc", "2025-03-01T10:00:00Z"},
                         {"completedAtUtc", nullptr}};
  auto seen = parse_ok(*ttd(), body.dump());
  CHECK(seen.state == State::running);
  CHECK(seen.progress == 42.5);
  CHECK_FALSE(seen.result_url);
  CHECK_FALSE(seen.finished_at);
  CHECK_FALSE(seen.expires_at);
  // A null percentage says nothing; the stored value is kept.
  CHECK_FALSE(parse_ok(*ttd(), with(body, "completionPercentage", nullptr).dump()).progress);
}

TEST_CASE("ttd-standard keeps the errors string of a failed job") {
  auto body = with(with(kExample, "status", "Failure"), "errors", "Report template 12 not found");
  auto seen = parse_ok(*ttd(), body.dump());
  CHECK(seen.state == State::failed);
  CHECK(seen.error_message == "Report template 12 not found");
}

TEST_CASE("ttd-standard never reads rawResult") {
  auto body =
      with(kExample, "rawResult", nlohmann::json::object({{"huge", std::string(100'000, 'r')}}));
  auto seen = parse_ok(*ttd(), body.dump());
  CHECK(seen.state == State::succeeded);
  CHECK_FALSE(seen.detail_json);
}

TEST_CASE("ttd-standard leaves an unknown status without a state") {
  auto seen = parse_ok(*ttd(), with(kExample, "status", "Paused").dump());
  CHECK_FALSE(seen.state);
  CHECK(seen.remote_status == "Paused");
  CHECK_FALSE(parse_ok(*ttd(), with(kExample, "status", "success").dump()).state);
}

TEST_CASE("ttd-standard refuses a body it cannot read") {
  auto provider = ttd();
  CHECK_THAT(parse_error(*provider, nlohmann::json{{"id", 1}}.dump()), Catch::Contains("status"));
  CHECK_THAT(parse_error(*provider, with(kExample, "status", 3).dump()), Catch::Contains("status"));
  CHECK_THAT(parse_error(*provider, with(kExample, "completionPercentage", "50").dump()),
             Catch::Contains("completionPercentage"));
  CHECK_THAT(parse_error(*provider, with(kExample, "errors", nlohmann::json::array({"a"})).dump()),
             Catch::Contains("errors"));
  CHECK_THAT(parse_error(*provider, with(kExample, "completedAtUtc", "yesterday").dump()),
             Catch::Contains("completedAtUtc"));
  CHECK_THAT(parse_error(*provider, with(kExample, "url", 5).dump()), Catch::Contains("url"));
}

TEST_CASE("ttd-standard clamps progress and survives huge numbers") {
  CHECK(parse_ok(*ttd(), with(kExample, "completionPercentage", 1e308).dump()).progress == 100.0);
  CHECK(parse_ok(*ttd(), with(kExample, "completionPercentage", -3).dump()).progress == 0.0);
  // The largest representable time: no overflow when adding 24 h.
  auto seen = parse_ok(*ttd(), with(kExample, "completedAtUtc", "9999-12-31T23:59:59.999Z").dump());
  CHECK(seen.finished_at);
  CHECK(seen.expires_at > seen.finished_at);
}

TEST_CASE("ttd-standard survives hostile bodies") {
  survives_hostile_variants(*ttd(), kExample);
}

TEST_CASE("ttd-standard has no settings") {
  auto error =
      make_error(endpoint("ttd-standard", "https://api.example.com", {{"job_kind", "bulk"}}));
  CHECK(error.key == "job_kind");
}

TEST_CASE("ttd-standard reads RFC 7807 error bodies") {
  nlohmann::json problem = {{"type", "https://httpstatuses.io/404"},
                            {"title", "Not Found"},
                            {"status", 404},
                            {"detail", "Job 412651 does not exist"}};
  CHECK(ttd()->error_message(problem.dump()) == "Not Found: Job 412651 does not exist");
}
