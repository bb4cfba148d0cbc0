#include <catch2/catch.hpp>

#include "daemon/protocol/times.h"
#include "tests/unit/provider_support.h"

using jobtrack::State;
using jobtrack::protocol::parse_iso8601;
using namespace jobtrack::testing;

namespace {

const nlohmann::json kExample = {
    {"job",
     {{"id", "gqlj-5f1c"},
      {"createdAt", "2025-03-01T10:00:00Z"},
      {"completedAt", "2025-03-01T10:02:00.500Z"},
      {"completionPercentage", 100.0},
      {"status", "Success"},
      {"url", "https://ttd-results.example.com/gqlj-5f1c.json"},
      {"rawResult", nullptr},
      {"queryGqlErrors", nlohmann::json::array()},
      {"runtimeErrors", nlohmann::json::array()}}},
    {"errors", nullptr},
};

std::unique_ptr<jobtrack::Provider> graphql(nlohmann::json settings = nlohmann::json::object()) {
  return make(endpoint("ttd-graphql", "https://desk.example.com/graphql", std::move(settings)));
}

nlohmann::json with_job(nlohmann::json body, const std::string& key, nlohmann::json value) {
  body["job"][key] = std::move(value);
  return body;
}

}  // namespace

TEST_CASE("ttd-graphql asks the query job by default and the bulk job when configured") {
  auto query = graphql()->request("gqlj-5f1c", "secret");
  CHECK(query.url == "https://desk.example.com/graphql/graphqlqueryjob/gqlj-5f1c");
  CHECK(query.headers == std::vector<std::string>{"Accept: application/json", "TTD-Auth: secret"});
  CHECK(graphql({{"job_kind", "query"}})->request("1", "t").url ==
        "https://desk.example.com/graphql/graphqlqueryjob/1");
  CHECK(graphql({{"job_kind", "bulk"}})->request("1", "t").url ==
        "https://desk.example.com/graphql/graphqlbulkjob/1");
  CHECK(graphql({{"job_kind", "bulk"}})->request("../x?y#z %2F é", "t").url ==
        "https://desk.example.com/graphql/graphqlbulkjob/..%2Fx%3Fy%23z%20%252F%20%C3%A9");
  CHECK(graphql()->request("1", "").headers ==
        std::vector<std::string>{"Accept: application/json"});
}

TEST_CASE("ttd-graphql ids are strings") {
  CHECK(graphql()->check_remote_id("gqlj-5f1c"));
  CHECK_FALSE(graphql()->check_remote_id(""));
}

TEST_CASE("ttd-graphql refuses a bad job_kind") {
  auto error =
      make_error(endpoint("ttd-graphql", "https://x.example.com", {{"job_kind", "mutation"}}));
  CHECK(error.key == "job_kind");
  CHECK(make_error(endpoint("ttd-graphql", "https://x.example.com", {{"job_kind", 1}})).key ==
        "job_kind");
  CHECK(make_error(endpoint("ttd-graphql", "https://x.example.com", {{"kind", "bulk"}})).key ==
        "kind");
}

TEST_CASE("ttd-graphql reads a finished job") {
  auto seen = parse_ok(*graphql(), kExample.dump());
  CHECK(seen.state == State::succeeded);
  CHECK(seen.remote_status == "Success");
  CHECK(seen.progress == 100.0);
  CHECK(seen.result_url == "https://ttd-results.example.com/gqlj-5f1c.json");
  CHECK(seen.remote_created_at == parse_iso8601("2025-03-01T10:00:00Z"));
  CHECK(seen.finished_at == parse_iso8601("2025-03-01T10:02:00.500Z"));
  CHECK_FALSE(seen.error_message);
}

TEST_CASE("ttd-graphql maps every status") {
  const std::pair<const char*, State> cases[] = {
      {"Queued", State::queued},     {"InProgress", State::running},
      {"Success", State::succeeded}, {"PartialSuccess", State::partial},
      {"Failure", State::failed},    {"Cancelled", State::cancelled}};
  for (const auto& [status, state] : cases) {
    INFO(status);
    auto seen = parse_ok(*graphql(), with_job(kExample, "status", status).dump());
    CHECK(seen.state == state);
    CHECK(seen.remote_status == status);
  }
  auto unknown = parse_ok(*graphql(), with_job(kExample, "status", "Archived").dump());
  CHECK_FALSE(unknown.state);
  CHECK(unknown.remote_status == "Archived");
}

TEST_CASE("ttd-graphql joins every error into error_message") {
  auto body = with_job(kExample, "status", "PartialSuccess");
  body["job"]["queryGqlErrors"] = {"Field 'x' is unknown", nullptr};
  body["job"]["runtimeErrors"] = {"Timeout on shard 3", "Timeout on shard 4"};
  body["errors"] = "Some results are missing";
  auto seen = parse_ok(*graphql(), body.dump());
  CHECK(seen.state == State::partial);
  CHECK(seen.error_message ==
        "Some results are missing; Field 'x' is unknown; Timeout on shard 3; Timeout on shard 4");
}

TEST_CASE("ttd-graphql reads a queued job with nulls") {
  nlohmann::json body = {{"job",
                          {{"id", "q1"},
                           {"status", "Queued"},
                           {"createdAt", "2025-03-01T10:00:00Z"},
                           {"completedAt", nullptr},
                           {"completionPercentage", nullptr},
                           {"url", nullptr},
                           {"queryGqlErrors", nullptr},
                           {"runtimeErrors", nullptr}}},
                         {"errors", nullptr}};
  auto seen = parse_ok(*graphql(), body.dump());
  CHECK(seen.state == State::queued);
  CHECK_FALSE(seen.progress);
  CHECK_FALSE(seen.result_url);
  CHECK_FALSE(seen.finished_at);
  CHECK_FALSE(seen.error_message);
}

TEST_CASE("ttd-graphql refuses a body it cannot read") {
  auto provider = graphql();
  CHECK_THAT(
      parse_error(*provider, R"({"job": null, "errors": "Job not visible to this partner"})"),
      Catch::Contains("Job not visible to this partner"));
  CHECK_THAT(parse_error(*provider, R"({"errors": null})"), Catch::Contains("job"));
  CHECK_THAT(parse_error(*provider, R"({"job": [], "errors": null})"), Catch::Contains("job"));
  CHECK_THAT(parse_error(*provider, R"({"job": {"id": "1"}})"), Catch::Contains("job.status"));
  CHECK_THAT(parse_error(*provider, with_job(kExample, "runtimeErrors", "oops").dump()),
             Catch::Contains("runtimeErrors"));
  CHECK_THAT(parse_error(*provider, with_job(kExample, "queryGqlErrors", {1, 2}).dump()),
             Catch::Contains("queryGqlErrors[0]"));
  CHECK_THAT(parse_error(*provider, with_job(kExample, "completionPercentage", "99").dump()),
             Catch::Contains("completionPercentage"));
  auto top_errors = kExample;
  top_errors["errors"] = nlohmann::json::array({"a"});
  CHECK_THAT(parse_error(*provider, top_errors.dump()), Catch::Contains("errors"));
}

TEST_CASE("ttd-graphql survives hostile bodies") {
  survives_hostile_variants(*graphql(), kExample);
}
