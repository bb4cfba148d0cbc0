#include <catch2/catch.hpp>

#include "daemon/poll_result.h"
#include "tests/unit/provider_support.h"

using jobtrack::HttpResponse;
using jobtrack::PollOutcome;
using jobtrack::State;
using namespace jobtrack::testing;

namespace {

const nlohmann::json kExample = {
    {"data",
     {{"gid", "12345"},
      {"resource_type", "job"},
      {"resource_subtype", "duplicate_task"},
      {"status", "in_progress"},
      {"new_project", nullptr},
      {"new_task",
       {{"gid", "67890"},
        {"name", "Bug Task"},
        {"resource_type", "task"},
        {"resource_subtype", "default_task"}}},
      {"new_project_template", nullptr}}},
};

std::unique_ptr<jobtrack::Provider> asana() {
  return make(endpoint("asana", "https://app.asana.com/api/1.0"));
}

nlohmann::json with(nlohmann::json body, const std::string& key, nlohmann::json value) {
  body["data"][key] = std::move(value);
  return body;
}

}  // namespace

TEST_CASE("asana asks GET /jobs/{gid} with a bearer token") {
  auto request = asana()->request("12345", "pat-1");
  CHECK(request.url == "https://app.asana.com/api/1.0/jobs/12345");
  CHECK(request.headers ==
        std::vector<std::string>{"Accept: application/json", "Authorization: Bearer pat-1"});
  CHECK(asana()->request("../x?y#z %2F é", "t").url ==
        "https://app.asana.com/api/1.0/jobs/..%2Fx%3Fy%23z%20%252F%20%C3%A9");
}

TEST_CASE("asana keeps the created object and the subtype in detail") {
  auto seen = parse_ok(*asana(), kExample.dump());
  CHECK(seen.state == State::running);
  CHECK(seen.remote_status == "in_progress");
  REQUIRE(seen.detail_json);
  CHECK(nlohmann::json::parse(*seen.detail_json) ==
        nlohmann::json{{"resource_subtype", "duplicate_task"},
                       {"new_task",
                        {{"gid", "67890"},
                         {"name", "Bug Task"},
                         {"resource_type", "task"},
                         {"resource_subtype", "default_task"}}}});
  CHECK_FALSE(seen.result_url);
}

TEST_CASE("asana maps every status") {
  const std::pair<const char*, State> cases[] = {{"not_started", State::queued},
                                                 {"in_progress", State::running},
                                                 {"succeeded", State::succeeded},
                                                 {"failed", State::failed}};
  for (const auto& [status, state] : cases) {
    INFO(status);
    CHECK(parse_ok(*asana(), with(kExample, "status", status).dump()).state == state);
  }
  auto unknown = parse_ok(*asana(), with(kExample, "status", "paused").dump());
  CHECK_FALSE(unknown.state);
  CHECK(unknown.remote_status == "paused");
  CHECK(parse_ok(*asana(), with(kExample, "status", "succeeded").dump()).progress == 100.0);
}

TEST_CASE("asana reads an export's download_url as the result") {
  nlohmann::json body = {{"data",
                          {{"gid", "1"},
                           {"resource_type", "job"},
                           {"resource_subtype", "export_graph"},
                           {"status", "succeeded"},
                           {"new_graph_export",
                            {{"gid", "2"},
                             {"resource_type", "graph_export"},
                             {"created_at", "2025-03-01T10:00:00Z"},
                             {"download_url", "https://asana-exports.example.com/2.json.gz?sig=x"},
                             {"nested", {{"ignored", true}}}}}}}};
  auto seen = parse_ok(*asana(), body.dump());
  CHECK(seen.state == State::succeeded);
  CHECK(seen.result_url == "https://asana-exports.example.com/2.json.gz?sig=x");
  auto detail = nlohmann::json::parse(*seen.detail_json);
  CHECK(detail["new_graph_export"]["download_url"] ==
        "https://asana-exports.example.com/2.json.gz?sig=x");
  CHECK_FALSE(detail["new_graph_export"].contains("nested"));

  body["data"]["new_resource_export"] = body["data"]["new_graph_export"];
  body["data"].erase("new_graph_export");
  CHECK(parse_ok(*asana(), body.dump()).result_url ==
        "https://asana-exports.example.com/2.json.gz?sig=x");
}

TEST_CASE("asana reads a minimal job") {
  auto seen = parse_ok(*asana(), R"({"data": {"status": "not_started"}})");
  CHECK(seen.state == State::queued);
  CHECK_FALSE(seen.detail_json);
}

TEST_CASE("asana refuses a body it cannot read") {
  auto provider = asana();
  CHECK_THAT(parse_error(*provider, R"({"gid": "1", "status": "succeeded"})"),
             Catch::Contains("data"));
  CHECK_THAT(parse_error(*provider, R"({"data": "job"})"), Catch::Contains("data"));
  CHECK_THAT(parse_error(*provider, R"({"data": {"gid": "1"}})"), Catch::Contains("data.status"));
  CHECK_THAT(parse_error(*provider, with(kExample, "new_task", "67890").dump()),
             Catch::Contains("new_task"));
  CHECK_THAT(parse_error(*provider, with(kExample, "new_task", {{"gid", 67890}}).dump()),
             Catch::Contains("data.new_task.gid"));
  CHECK_THAT(parse_error(*provider, with(kExample, "resource_subtype", 3).dump()),
             Catch::Contains("resource_subtype"));
}

TEST_CASE("asana error bodies give their first message") {
  nlohmann::json errors = {{"errors",
                            {{{"message", "job: Not a recognized ID: 12345"},
                              {"help", "For more information on API status codes..."},
                              {"phrase", "6 sad squid snuggle softly"}}}}};
  CHECK(asana()->error_message(errors.dump()) == "job: Not a recognized ID: 12345");
  CHECK(asana()->error_message(R"({"errors": []})").empty());
  CHECK(asana()->error_message(R"({"errors": [42]})").empty());
}

TEST_CASE("asana 429 is retried after Retry-After seconds") {
  HttpResponse response;
  response.status = 429;
  response.retry_after = "30";
  response.body = R"({"errors": [{"message": "You have made too many requests recently."}]})";
  auto result = jobtrack::classify(*asana(), response, 1'700'000'000'000);
  CHECK(result.outcome == PollOutcome::retry);
  CHECK(result.retry_after == 30'000);
  CHECK(result.error == "HTTP 429: You have made too many requests recently.");
}

TEST_CASE("asana survives hostile bodies") {
  survives_hostile_variants(*asana(), kExample);
  nlohmann::json with_export =
      with(kExample, "new_graph_export", {{"gid", "2"}, {"download_url", "https://x/y"}});
  survives_hostile_variants(*asana(), with_export);
}
