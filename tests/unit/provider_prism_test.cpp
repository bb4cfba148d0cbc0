#include <catch2/catch.hpp>

#include "daemon/protocol/times.h"
#include "tests/unit/provider_support.h"

using jobtrack::State;
using jobtrack::protocol::parse_iso8601;
using namespace jobtrack::testing;

namespace {

// The example response of the API reference, verbatim.
const std::string kExample =
    R"({ "job_id": "job_id", "status": "complete", "total": 0, "created_at": "2019-12-27T18:11:19.117Z", "error": { "code": "code", "message": "message" }, "expires_at": "2019-12-27T18:11:19.117Z", "failed": 0, "processed": 0, "results": [ { "id": "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e", "created": true, "error": { "code": "code", "message": "message" }, "existing": true } ], "succeeded": 0, "updated_at": "2019-12-27T18:11:19.117Z" })";

const nlohmann::json kProcessing = {{"job_id", "imp_1"},
                                    {"status", "processing"},
                                    {"total", 200},
                                    {"processed", 50},
                                    {"succeeded", 49},
                                    {"failed", 1},
                                    {"created_at", "2025-03-01T10:00:00Z"},
                                    {"updated_at", "2025-03-01T10:00:30Z"},
                                    {"expires_at", "2025-03-08T10:00:00Z"},
                                    {"error", nullptr},
                                    {"results", nullptr}};

std::unique_ptr<jobtrack::Provider> prism() {
  return make(endpoint("prism", "https://developers.micro.so", {{"team_id", "team 1"}}));
}

nlohmann::json with(nlohmann::json body, const std::string& key, nlohmann::json value) {
  body[key] = std::move(value);
  return body;
}

nlohmann::json complete(nlohmann::json results, int failed) {
  auto body = with(with(kProcessing, "status", "complete"), "results", std::move(results));
  body["processed"] = 200;
  body["failed"] = failed;
  return body;
}

}  // namespace

TEST_CASE("prism asks GET /v2/prism/{team}/imports/{id} with x-api-key") {
  auto request = prism()->request("imp_1", "key-1");
  CHECK(request.url == "https://developers.micro.so/v2/prism/team%201/imports/imp_1");
  CHECK(request.headers ==
        std::vector<std::string>{"Accept: application/json", "x-api-key: key-1"});
  CHECK(prism()->request("../x?y#z %2F é", "").url ==
        "https://developers.micro.so/v2/prism/team%201/imports/..%2Fx%3Fy%23z%20%252F%20%C3%A9");
}

TEST_CASE("prism needs team_id and nothing else") {
  CHECK_THAT(make_error(endpoint("prism", "https://x.example.com")).message,
             Catch::Contains("team_id"));
  CHECK(make_error(endpoint("prism", "https://x.example.com", {{"team_id", 5}})).key == "team_id");
  CHECK(make_error(endpoint("prism", "https://x.example.com", {{"team_id", "t"}, {"team", "t"}}))
            .key == "team");
}

TEST_CASE("prism reads the reference's example body") {
  auto seen = parse_ok(*prism(), kExample);
  // Its one row carries an error, so the import is partial.
  CHECK(seen.state == State::partial);
  CHECK(seen.remote_status == "complete");
  CHECK(seen.progress == 100.0);
  CHECK(seen.total == 0);
  CHECK(seen.remote_created_at == parse_iso8601("2019-12-27T18:11:19.117Z"));
  CHECK(seen.expires_at == parse_iso8601("2019-12-27T18:11:19.117Z"));
  CHECK(seen.error_code == "code");
  CHECK(seen.error_message == "message");
  REQUIRE(seen.has_rows);
  REQUIRE(seen.rows.size() == 1);
  CHECK(seen.rows[0].row == 0);
  CHECK(seen.rows[0].record_id == "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e");
  CHECK(seen.rows[0].created == true);
  CHECK(seen.rows[0].existing == true);
  CHECK(seen.rows[0].error_code == "code");
}

TEST_CASE("prism reads a processing import with its counts") {
  auto seen = parse_ok(*prism(), kProcessing.dump());
  CHECK(seen.state == State::running);
  CHECK(seen.progress == 25.0);
  CHECK(seen.total == 200);
  CHECK(seen.processed == 50);
  CHECK(seen.succeeded == 49);
  CHECK(seen.failed == 1);
  CHECK(seen.updated_at == parse_iso8601("2025-03-01T10:00:30Z"));
  CHECK_FALSE(seen.has_rows);
}

TEST_CASE("prism: complete is succeeded, or partial when a row failed") {
  nlohmann::json good_rows = {{{"id", "r1"}, {"created", true}, {"existing", false}},
                              {{"id", "r2"}, {"created", false}, {"existing", true}}};
  auto seen = parse_ok(*prism(), complete(good_rows, 0).dump());
  CHECK(seen.state == State::succeeded);
  REQUIRE(seen.rows.size() == 2);
  CHECK(seen.rows[1].row == 1);
  CHECK(seen.rows[1].existing == true);
  CHECK(parse_ok(*prism(), complete(good_rows, 3).dump()).state == State::partial);
  // No results array yet: the counts decide.
  CHECK(parse_ok(*prism(), complete(nullptr, 0).dump()).state == State::succeeded);
  CHECK_FALSE(parse_ok(*prism(), complete(nullptr, 0).dump()).has_rows);
}

TEST_CASE("prism: failed is failed, with the job's error") {
  auto body = with(with(kProcessing, "status", "failed"), "error",
                   {{"code", "bad_csv"}, {"message", "Row 3: bad quote"}});
  auto seen = parse_ok(*prism(), body.dump());
  CHECK(seen.state == State::failed);
  CHECK(seen.error_code == "bad_csv");
  CHECK(seen.error_message == "Row 3: bad quote");
  auto unknown = parse_ok(*prism(), with(kProcessing, "status", "queued").dump());
  CHECK_FALSE(unknown.state);
  CHECK(unknown.remote_status == "queued");
}

TEST_CASE("prism refuses a body it cannot read") {
  auto provider = prism();
  CHECK_THAT(parse_error(*provider, R"({"job_id": "x"})"), Catch::Contains("status"));
  CHECK_THAT(parse_error(*provider, with(kProcessing, "total", "200").dump()),
             Catch::Contains("total"));
  CHECK_THAT(parse_error(*provider, with(kProcessing, "total", 18446744073709551615ULL).dump()),
             Catch::Contains("total"));
  CHECK_THAT(parse_error(*provider, with(kProcessing, "error", "boom").dump()),
             Catch::Contains("error"));
  CHECK_THAT(parse_error(*provider, complete({42}, 0).dump()), Catch::Contains("results[0]"));
  CHECK_THAT(parse_error(*provider, complete({{{"id", 7}}}, 0).dump()),
             Catch::Contains("results[0].id"));
  CHECK_THAT(parse_error(*provider, complete({{{"error", {{"code", 1}}}}}, 0).dump()),
             Catch::Contains("results[0].error"));
  CHECK_THAT(parse_error(*provider, with(kProcessing, "created_at", "2019-12-27").dump()),
             Catch::Contains("created_at"));
}

TEST_CASE("prism reads many rows") {
  nlohmann::json rows = nlohmann::json::array();
  for (int i = 0; i < 50'000; ++i)
    rows.push_back({{"id", std::to_string(i)}, {"created", true}, {"existing", false}});
  auto seen = parse_ok(*prism(), complete(rows, 0).dump());
  CHECK(seen.rows.size() == 50'000);
  CHECK(seen.rows.back().row == 49'999);
}

TEST_CASE("prism survives hostile bodies") {
  survives_hostile_variants(*prism(), kProcessing);
  survives_hostile_variants(*prism(), nlohmann::json::parse(kExample));
}
