#include <catch2/catch.hpp>

#include "daemon/protocol/times.h"
#include "tests/unit/provider_support.h"

using jobtrack::State;
using jobtrack::protocol::parse_iso8601;
using namespace jobtrack::testing;

namespace {

// The [endpoints.exports] example of systemd/jobtrackd.toml.example.
nlohmann::json example_settings() {
  return {{"url_template", "{base_url}/v1/exports/{id}"},
          {"auth_header", "Authorization"},
          {"auth_prefix", "Bearer "},
          {"status_pointer", "/status"},
          {"progress_pointer", "/progress"},
          {"result_url_pointer", "/result/url"},
          {"expires_pointer", "/result/expires_at"},
          {"error_pointer", "/error/message"},
          {"states",
           {{"queued", {"pending", "scheduled"}},
            {"running", {"running"}},
            {"succeeded", {"done"}},
            {"failed", {"error"}},
            {"cancelled", {"cancelled"}}}}};
}

const nlohmann::json kDone = {
    {"id", "exp-1"},
    {"status", "done"},
    {"progress", 100},
    {"result",
     {{"url", "https://exports.example.com/files/exp-1.csv"},
      {"expires_at", "2025-03-08T00:00:00Z"}}},
    {"error", nullptr},
};

jobtrack::EndpointConfig config(nlohmann::json settings) {
  return endpoint("generic", "https://exports.example.com", std::move(settings));
}

std::unique_ptr<jobtrack::Provider> exports() {
  return make(config(example_settings()));
}

std::string error_key(nlohmann::json settings) {
  return make_error(config(std::move(settings))).key;
}

}  // namespace

TEST_CASE("generic fills the URL template and the auth header") {
  auto request = exports()->request("exp-1", "tok");
  CHECK(request.url == "https://exports.example.com/v1/exports/exp-1");
  CHECK(request.headers ==
        std::vector<std::string>{"Accept: application/json", "Authorization: Bearer tok"});
  CHECK(exports()->request("../x?y#z %2F é", "").url ==
        "https://exports.example.com/v1/exports/..%2Fx%3Fy%23z%20%252F%20%C3%A9");
  CHECK(exports()->request("1", "").headers ==
        std::vector<std::string>{"Accept: application/json"});
}

TEST_CASE("generic templates may use other settings, {id} more than once, and defaults") {
  auto settings = example_settings();
  settings["url_template"] = "{base_url}/teams/{team}/jobs/{id}?check={id}&v={version}";
  settings["team"] = "a/b";
  settings["version"] = "{id}";  // substituted once, not expanded again
  settings.erase("auth_header");
  settings.erase("auth_prefix");
  auto provider = make(config(settings));
  auto request = provider->request("7 8", "tok");
  CHECK(request.url == "https://exports.example.com/teams/a/b/jobs/7%208?check=7%208&v={id}");
  CHECK(request.headers.back() == "Authorization: tok");

  settings.erase("team");
  settings.erase("version");
  settings["url_template"] = "https://other.example.com/{x}/{id}";
  settings["x"] = "y";
  settings["auth_header"] = "X-Key";
  CHECK(make(config(settings))->request("1", "k").url == "https://other.example.com/y/1");
  CHECK(make(config(settings))->request("1", "k").headers.back() == "X-Key: k");
  settings["auth_header"] = "";
  CHECK(make(config(settings))->request("1", "k").headers ==
        std::vector<std::string>{"Accept: application/json"});
}

TEST_CASE("generic reads the example API") {
  auto seen = parse_ok(*exports(), kDone.dump());
  CHECK(seen.state == State::succeeded);
  CHECK(seen.remote_status == "done");
  CHECK(seen.progress == 100.0);
  CHECK(seen.result_url == "https://exports.example.com/files/exp-1.csv");
  CHECK(seen.expires_at == parse_iso8601("2025-03-08T00:00:00Z"));
  CHECK_FALSE(seen.error_message);

  nlohmann::json failed = {{"status", "error"}, {"error", {{"message", "disk full"}}}};
  auto bad = parse_ok(*exports(), failed.dump());
  CHECK(bad.state == State::failed);
  CHECK(bad.error_message == "disk full");
  CHECK_FALSE(bad.progress);

  CHECK(parse_ok(*exports(), R"({"status": "scheduled"})").state == State::queued);
  CHECK(parse_ok(*exports(), R"({"status": "pending"})").state == State::queued);
  CHECK(parse_ok(*exports(), R"({"status": "cancelled"})").state == State::cancelled);
  auto unknown = parse_ok(*exports(), R"({"status": "Done"})");
  CHECK_FALSE(unknown.state);
  CHECK(unknown.remote_status == "Done");
}

TEST_CASE("generic follows nested pointers, array indexes and escapes") {
  nlohmann::json settings = {
      {"url_template", "{base_url}/{id}"},
      {"status_pointer", "/data/0/state"},
      {"progress_pointer", "/data/0/a~1b"},
      {"created_pointer", "/data/0/c~0d"},
      {"finished_pointer", "/data/0/times/1"},
      {"expires_pointer", "/data/0/expires"},
      {"states", {{"running", "2"}, {"succeeded", "3"}, {"partial", "true"}, {"expired", "4.5"}}}};
  auto provider = make(config(settings));
  nlohmann::json body = {{"data",
                          {{{"state", 2},
                            {"a/b", 12.5},
                            {"c~d", 1700000000},
                            {"times", {nullptr, "2023-11-14T22:13:21Z"}},
                            {"expires", 1700000000.5}}}}};
  auto seen = parse_ok(*provider, body.dump());
  CHECK(seen.state == State::running);
  CHECK(seen.remote_status == "2");
  CHECK(seen.progress == 12.5);
  CHECK(seen.remote_created_at == 1'700'000'000'000);
  CHECK(seen.finished_at == parse_iso8601("2023-11-14T22:13:21Z"));
  CHECK(seen.expires_at == 1'700'000'000'500);
  body["data"][0]["state"] = true;
  CHECK(parse_ok(*provider, body.dump()).state == State::partial);
  body["data"][0]["state"] = 4.5;
  CHECK(parse_ok(*provider, body.dump()).state == State::expired);
  // An index out of range, with a leading zero or not a number finds nothing.
  for (const char* pointer :
       {"/data/1/state", "/data/00/state", "/data/-/state", "/data/x/state"}) {
    settings["status_pointer"] = pointer;
    INFO(pointer);
    CHECK_THAT(parse_error(*make(config(settings)), body.dump()), Catch::Contains("no status"));
  }
}

TEST_CASE("generic may read a body that is only the status") {
  nlohmann::json settings = {{"url_template", "{base_url}/{id}/state"},
                             {"status_pointer", ""},
                             {"states", {{"succeeded", "OK"}}}};
  CHECK(parse_ok(*make(config(settings)), R"("OK")").state == State::succeeded);
}

TEST_CASE("generic refuses values of the wrong type") {
  auto provider = exports();
  CHECK_THAT(parse_error(*provider, R"({"id": 1})"), Catch::Contains("no status at /status"));
  CHECK_THAT(parse_error(*provider, R"({"status": null})"), Catch::Contains("no status"));
  CHECK_THAT(parse_error(*provider, R"({"status": ["done"]})"), Catch::Contains("/status"));
  CHECK_THAT(parse_error(*provider, R"({"status": {"done": 1}})"), Catch::Contains("/status"));
  CHECK_THAT(parse_error(*provider, R"({"status": "done", "progress": "50"})"),
             Catch::Contains("/progress"));
  CHECK_THAT(parse_error(*provider, R"({"status": "done", "result": {"url": 5}})"),
             Catch::Contains("/result/url"));
  CHECK_THAT(parse_error(*provider, R"({"status": "done", "result": {"expires_at": "soon"}})"),
             Catch::Contains("/result/expires_at"));
  CHECK_THAT(parse_error(*provider, R"({"status": "done", "result": {"expires_at": 1e300}})"),
             Catch::Contains("/result/expires_at"));
  CHECK_THAT(parse_error(*provider, R"({"status": "done", "result": {"expires_at": true}})"),
             Catch::Contains("/result/expires_at"));
  CHECK_THAT(parse_error(*provider, R"({"status": "error", "error": {"message": {"text": "x"}}})"),
             Catch::Contains("/error/message"));
  // A pointer that runs into a scalar or an array simply finds nothing.
  CHECK_FALSE(parse_ok(*provider, R"({"status": "done", "result": "gone"})").result_url);
  CHECK_FALSE(parse_ok(*provider, R"({"status": "done", "result": [1, 2]})").result_url);
  CHECK(parse_ok(*provider, R"({"status": "running", "progress": 1e308})").progress == 100.0);
}

TEST_CASE("generic configuration mistakes name their key") {
  auto settings = example_settings();
  auto without = [&](const char* key) {
    auto copy = settings;
    copy.erase(key);
    return copy;
  };
  auto changed = [&](const char* key, nlohmann::json value) {
    auto copy = settings;
    copy[key] = std::move(value);
    return copy;
  };
  CHECK_THAT(make_error(config(without("url_template"))).message, Catch::Contains("url_template"));
  CHECK_THAT(make_error(config(without("status_pointer"))).message,
             Catch::Contains("status_pointer"));
  CHECK_THAT(make_error(config(without("states"))).message, Catch::Contains("states"));
  CHECK(error_key(changed("url_template", "{base_url}/v1/exports")) == "url_template");
  CHECK(error_key(changed("url_template", "{base_url}/{ID}")) == "url_template");
  CHECK(error_key(changed("url_template", "{base_url}/{status_pointer}/{id}")) == "url_template");
  CHECK(error_key(changed("url_template", "/v1/{id}")) == "url_template");
  CHECK(error_key(changed("url_template", 5)) == "url_template");
  CHECK(error_key(changed("status_pointer", "status")) == "status_pointer");
  CHECK(error_key(changed("progress_pointer", "/a~2b")) == "progress_pointer");
  CHECK(error_key(changed("error_pointer", "/a~")) == "error_pointer");
  CHECK(error_key(changed("expires_pointer", 3)) == "expires_pointer");
  CHECK(error_key(changed("auth_header", "Bad: header")) == "auth_header");
  CHECK(error_key(changed("progres_pointer", "/progress")) == "progres_pointer");
  CHECK(error_key(changed("retries", 3)) == "retries");
  CHECK(error_key(changed("states", "done")) == "states");
  CHECK(error_key(changed("states", nlohmann::json::object())) == "states");

  auto states = settings["states"];
  auto with_states = [&](nlohmann::json value) { return changed("states", std::move(value)); };
  CHECK(error_key(with_states({{"finished", {"done"}}})) == "states.finished");
  CHECK(error_key(with_states({{"timed_out", {"late"}}})) == "states.timed_out");
  CHECK(error_key(with_states({{"succeeded", 1}})) == "states.succeeded");
  CHECK(error_key(with_states({{"succeeded", {"done", 2}}})) == "states.succeeded");
  auto twice =
      make_error(config(with_states({{"failed", {"done"}}, {"succeeded", {"ok", "done"}}})));
  CHECK(twice.key == "states.succeeded");
  CHECK_THAT(twice.message, Catch::Contains("\"done\""));
  // Listing a status twice under the same state is harmless.
  CHECK(make_provider(config(with_states({{"succeeded", {"done", "done"}}}))));
}

TEST_CASE("generic configuration errors point at the line in the file") {
  const std::string text = R"([endpoints.exports]
provider = "generic"
base_url = "https://exports.example.com"
url_template = "{base_url}/v1/exports/{id}"
status_pointer = "/status"

[endpoints.exports.states]
queued = ["pending"]
succeeded = ["done"]
finished = ["error"]
)";
  auto parsed = jobtrack::parse_config(text, "jobtrackd.toml");
  REQUIRE(parsed);
  const auto& ep = parsed->endpoints.at(0);
  auto made = jobtrack::make_provider(ep);
  REQUIRE_FALSE(made);
  auto error = jobtrack::endpoint_error(*parsed, ep, made.error().key, made.error().message);
  CHECK(error.line == 10);
  CHECK_THAT(error.message, Catch::Contains("states.finished"));
}

TEST_CASE("generic survives hostile bodies") {
  survives_hostile_variants(*exports(), kDone);
  nlohmann::json settings = example_settings();
  settings["created_pointer"] = "/created";
  settings["finished_pointer"] = "/finished/0";
  nlohmann::json body = kDone;
  body["created"] = 1700000000;
  body["finished"] = {"2023-11-14T22:13:21Z"};
  survives_hostile_variants(*make(config(settings)), body);
}

TEST_CASE("every endpoint of the example configuration builds its provider") {
  auto parsed =
      jobtrack::load_config(std::string(JOBTRACK_SOURCE_DIR) + "/systemd/jobtrackd.toml.example");
  if (!parsed) FAIL(parsed.error().to_string());
  CHECK(parsed->endpoints.size() == 6);
  for (const auto& ep : parsed->endpoints) {
    INFO(ep.name);
    auto made = jobtrack::make_provider(ep);
    if (!made) FAIL(made.error().key << ": " << made.error().message);
  }
}
