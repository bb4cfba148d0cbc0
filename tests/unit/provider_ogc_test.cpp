#include <catch2/catch.hpp>

#include "daemon/protocol/times.h"
#include "tests/unit/provider_support.h"

using jobtrack::HttpResponse;
using jobtrack::State;
using jobtrack::protocol::parse_iso8601;
using namespace jobtrack::testing;

namespace {

const std::string kResultsRel = "http://www.opengis.net/def/rel/ogc/1.0/results";

const nlohmann::json kExample = {
    {"jobID", "81574318-1eb1-11ee-9a1b-0242ac110002"},
    {"status", "successful"},
    {"type", "process"},
    {"processID", "hello-world"},
    {"message", "Job complete"},
    {"created", "2023-07-10T12:00:00Z"},
    {"started", "2023-07-10T12:00:01Z"},
    {"finished", "2023-07-10T12:00:05.5Z"},
    {"updated", "2023-07-10T12:00:05.5Z"},
    {"progress", 100},
    {"links",
     {{{"href", "https://ogc.example.com/jobs/81574318/results?f=json"},
       {"rel", kResultsRel},
       {"type", "application/json"},
       {"title", "results of job as JSON"}},
      {{"href", "https://ogc.example.com/jobs/81574318?f=json"},
       {"rel", "self"},
       {"type", "application/json"}}}},
};

std::unique_ptr<jobtrack::Provider> ogc(nlohmann::json settings = nlohmann::json::object()) {
  return make(endpoint("ogc", "https://ogc.example.com/processes-api", std::move(settings)));
}

nlohmann::json with(nlohmann::json body, const std::string& key, nlohmann::json value) {
  body[key] = std::move(value);
  return body;
}

HttpResponse not_found(std::string body, std::string content_type = "application/json") {
  HttpResponse response;
  response.status = 404;
  response.body = std::move(body);
  response.content_type = std::move(content_type);
  return response;
}

}  // namespace

TEST_CASE("ogc asks GET /jobs/{jobID} as JSON, without authentication by default") {
  auto request = ogc()->request("81574318", "ignored-token");
  CHECK(request.url == "https://ogc.example.com/processes-api/jobs/81574318");
  CHECK(request.headers == std::vector<std::string>{"Accept: application/json"});
  CHECK(ogc()->request("../x?y#z %2F é", "").url ==
        "https://ogc.example.com/processes-api/jobs/..%2Fx%3Fy%23z%20%252F%20%C3%A9");
  CHECK(ogc()->request("..", "").url == "https://ogc.example.com/processes-api/jobs/%2E%2E");
}

TEST_CASE("ogc sends the token in the configured header") {
  auto provider = ogc({{"auth_header", "Authorization"}, {"auth_prefix", "Bearer "}});
  CHECK(provider->request("1", "tok").headers ==
        std::vector<std::string>{"Accept: application/json", "Authorization: Bearer tok"});
  // No token configured: no header at all rather than an empty one.
  CHECK(provider->request("1", "").headers == std::vector<std::string>{"Accept: application/json"});
  CHECK(ogc({{"auth_header", "X-Api-Key"}})->request("1", "k").headers.back() == "X-Api-Key: k");
}

TEST_CASE("ogc refuses bad authentication settings") {
  CHECK(
      make_error(endpoint("ogc", "https://x.example.com", {{"auth_header", "Bad Header:"}})).key ==
      "auth_header");
  CHECK(make_error(endpoint("ogc", "https://x.example.com",
                            {{"auth_header", "A"}, {"auth_prefix", "x\r\nEvil: 1"}}))
            .key == "auth_prefix");
  CHECK(make_error(endpoint("ogc", "https://x.example.com", {{"auth_prefix", "Bearer "}})).key ==
        "auth_prefix");
  CHECK(make_error(endpoint("ogc", "https://x.example.com", {{"auth_heder", "A"}})).key ==
        "auth_heder");
}

TEST_CASE("ogc reads a successful StatusInfo") {
  auto seen = parse_ok(*ogc(), kExample.dump());
  CHECK(seen.state == State::succeeded);
  CHECK(seen.remote_status == "successful");
  CHECK(seen.progress == 100.0);
  CHECK(seen.result_url == "https://ogc.example.com/jobs/81574318/results?f=json");
  CHECK(seen.remote_created_at == parse_iso8601("2023-07-10T12:00:00Z"));
  CHECK(seen.updated_at == parse_iso8601("2023-07-10T12:00:05.5Z"));
  CHECK(seen.finished_at == parse_iso8601("2023-07-10T12:00:05.5Z"));
  CHECK_FALSE(seen.error_message);
  REQUIRE(seen.detail_json);
  CHECK(nlohmann::json::parse(*seen.detail_json) ==
        nlohmann::json{{"processID", "hello-world"},
                       {"started", "2023-07-10T12:00:01Z"},
                       {"message", "Job complete"}});
}

TEST_CASE("ogc maps every status") {
  const std::pair<const char*, State> cases[] = {{"accepted", State::queued},
                                                 {"running", State::running},
                                                 {"successful", State::succeeded},
                                                 {"failed", State::failed},
                                                 {"dismissed", State::cancelled}};
  for (const auto& [status, state] : cases) {
    INFO(status);
    CHECK(parse_ok(*ogc(), with(kExample, "status", status).dump()).state == state);
  }
  auto unknown = parse_ok(*ogc(), with(kExample, "status", "paused").dump());
  CHECK_FALSE(unknown.state);
  CHECK(unknown.remote_status == "paused");
}

TEST_CASE("ogc puts the message of a failed job in error_message") {
  auto body =
      with(with(kExample, "status", "failed"), "message", "Process raised: division by zero");
  auto seen = parse_ok(*ogc(), body.dump());
  CHECK(seen.state == State::failed);
  CHECK(seen.error_message == "Process raised: division by zero");
  REQUIRE(seen.detail_json);
  CHECK_FALSE(nlohmann::json::parse(*seen.detail_json).contains("message"));
}

TEST_CASE("ogc reads a running job with the short results rel and few fields") {
  nlohmann::json body = {
      {"jobID", "j"},
      {"status", "running"},
      {"progress", 37},
      {"links", {{{"href", "https://ogc.example.com/jobs/j/results"}, {"rel", "results"}}}}};
  auto seen = parse_ok(*ogc(), body.dump());
  CHECK(seen.state == State::running);
  CHECK(seen.progress == 37.0);
  CHECK(seen.result_url == "https://ogc.example.com/jobs/j/results");
  CHECK_FALSE(seen.detail_json);
  CHECK_FALSE(seen.remote_created_at);

  auto no_results =
      with(body, "links", {{{"href", "https://ogc.example.com/jobs/j"}, {"rel", "self"}}});
  CHECK_FALSE(parse_ok(*ogc(), no_results.dump()).result_url);
}

TEST_CASE("ogc refuses a body it cannot read") {
  auto provider = ogc();
  CHECK_THAT(parse_error(*provider, R"({"jobID": "j"})"), Catch::Contains("status"));
  CHECK_THAT(parse_error(*provider, with(kExample, "links", "none").dump()),
             Catch::Contains("links"));
  CHECK_THAT(parse_error(*provider, with(kExample, "links", {42}).dump()),
             Catch::Contains("links[0]"));
  CHECK_THAT(parse_error(*provider, with(kExample, "links", {{{"rel", 1}}}).dump()),
             Catch::Contains("rel"));
  CHECK_THAT(parse_error(*provider, with(kExample, "progress", "50%").dump()),
             Catch::Contains("progress"));
  CHECK_THAT(parse_error(*provider, with(kExample, "created", "today").dump()),
             Catch::Contains("created"));
  CHECK_THAT(parse_error(*provider, with(kExample, "message", nlohmann::json::object()).dump()),
             Catch::Contains("message"));
}

TEST_CASE("ogc clamps progress") {
  CHECK(parse_ok(*ogc(), with(kExample, "progress", 250).dump()).progress == 100.0);
  CHECK(parse_ok(*ogc(), with(kExample, "progress", -5).dump()).progress == 0.0);
  CHECK(parse_ok(*ogc(), with(kExample, "progress", 18446744073709551615ULL).dump()).progress ==
        100.0);
}

TEST_CASE("ogc tells a missing job from a wrong URL") {
  auto provider = ogc();
  nlohmann::json no_such_job = {
      {"type", "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/no-such-job"},
      {"title", "No such job"},
      {"status", 404},
      {"detail", "Job 81574318 not found"}};
  CHECK(provider->is_no_such_job(not_found(no_such_job.dump(), "application/problem+json")));
  CHECK(provider->is_no_such_job(not_found("")));
  CHECK(provider->is_no_such_job(not_found("<html>Not Found</html>", "text/html")));
  CHECK(provider->is_no_such_job(
      not_found(R"({"code": "NoSuchJob", "description": "job not found"})")));
  nlohmann::json no_such_process =
      with(no_such_job, "type",
           "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/no-such-process");
  CHECK_FALSE(
      provider->is_no_such_job(not_found(no_such_process.dump(), "application/problem+json")));
  CHECK_FALSE(
      provider->is_no_such_job(not_found(R"({"type": "about:blank", "title": "Not Found"})")));
  CHECK_FALSE(
      provider->is_no_such_job(not_found(R"({"title": "Not Found"})", "application/problem+json")));
  CHECK(provider->error_message(no_such_job.dump()) == "No such job: Job 81574318 not found");
}

TEST_CASE("ogc survives hostile bodies") {
  survives_hostile_variants(*ogc(), kExample);
}
