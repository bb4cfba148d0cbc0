#include "daemon/config.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <optional>
#include <random>
#include <set>
#include <string>

#include <catch2/catch.hpp>
#include <stdlib.h>

#include "tests/unit/env_guard.h"

using jobtrack::Config;
using jobtrack::ConfigError;
using jobtrack::EndpointConfig;
using jobtrack::parse_config;
using jobtrack::TokenSource;

namespace {

Config parse_ok(const std::string& text) {
  auto config = parse_config(text, "jobtrackd.toml");
  INFO(text);
  if (!config) FAIL(config.error().to_string());
  return std::move(*config);
}

ConfigError parse_error(const std::string& text) {
  auto config = parse_config(text, "jobtrackd.toml");
  INFO(text);
  REQUIRE_FALSE(config);
  CHECK(config.error().file == "jobtrackd.toml");
  CHECK_FALSE(config.error().message.empty());
  return config.error();
}

using jobtrack::test::EnvGuard;

const std::string kMinimal = R"(
[endpoints.x]
provider = "ogc"
base_url = "http://localhost:8080"
)";

}  // namespace

TEST_CASE("the configuration from the issue parses") {
  Config config = parse_ok(
      R"(database = "/var/lib/jobtrack/jobtrack.db"   # default: $STATE_DIRECTORY/jobtrack.db
socket   = "/run/jobtrack/jobtrack.sock"     # default: $RUNTIME_DIRECTORY/jobtrack.sock

[endpoints.prism]
provider      = "prism"
base_url      = "https://developers.micro.so"
team_id       = "team-42"              # prism (lands in settings)
token         = { env = "PRISM_API_KEY" }   # or { file = "/path" } or { credential = "name" }
poll_initial  = "1s"
poll_max      = "60s"
poll_factor   = 1.5
max_in_flight = 16
timeout       = "30s"
)");
  CHECK(config.path == "jobtrackd.toml");
  CHECK(config.database == "/var/lib/jobtrack/jobtrack.db");
  CHECK(config.socket == "/run/jobtrack/jobtrack.sock");
  REQUIRE(config.endpoints.size() == 1);
  const EndpointConfig& ep = config.endpoints[0];
  CHECK(ep.name == "prism");
  CHECK(ep.line == 4);
  CHECK(ep.provider == "prism");
  CHECK(ep.base_url == "https://developers.micro.so");
  CHECK(ep.token.kind == TokenSource::Kind::env);
  CHECK(ep.token.name == "PRISM_API_KEY");
  CHECK(ep.poll.initial == 1000);
  CHECK(ep.poll.max == 60'000);
  CHECK(ep.poll.factor == 1.5);
  CHECK(ep.max_in_flight == 16);
  CHECK(ep.timeout == 30'000);
  CHECK(ep.settings == nlohmann::json{{"team_id", "team-42"}});
  CHECK(ep.key_lines.at("provider") == 5);
  CHECK(ep.key_lines.at("team_id") == 7);
  CHECK(ep.key_lines.at("token") == 8);
  CHECK(ep.key_lines.at("token.env") == 8);
  CHECK(ep.key_lines.at("timeout") == 13);
  CHECK(config.endpoint("prism") == &ep);
  CHECK(config.endpoint("other") == nullptr);
}

TEST_CASE("an empty file gives every default") {
  EnvGuard state("STATE_DIRECTORY", std::nullopt);
  EnvGuard runtime("RUNTIME_DIRECTORY", std::nullopt);
  Config config = parse_ok("");
  CHECK(config.database == "./jobtrack.db");
  CHECK(config.socket == "./jobtrack.sock");
  CHECK(config.socket_group.empty());
  CHECK(config.log_level == "info");
  CHECK(config.keep_finished == 7LL * 24 * 3600 * 1000);
  CHECK(config.keep_after_expiry == 0);
  CHECK(config.poll_retention == 24LL * 3600 * 1000);
  CHECK(config.max_connections == 256);
  CHECK(config.max_message_bytes == 1024 * 1024);
  CHECK(config.idle_timeout == 300'000);
  CHECK(config.endpoints.empty());
}

TEST_CASE("an endpoint with only the required keys gets the defaults") {
  Config config = parse_ok(kMinimal);
  REQUIRE(config.endpoints.size() == 1);
  const EndpointConfig& ep = config.endpoints[0];
  CHECK(ep.line == 2);
  CHECK(ep.token.kind == TokenSource::Kind::none);
  CHECK(ep.token.name.empty());
  CHECK(ep.poll.initial == 1000);
  CHECK(ep.poll.factor == 1.5);
  CHECK(ep.poll.max == 60'000);
  CHECK(ep.retry.initial == 1000);
  CHECK(ep.retry.factor == 2.0);
  CHECK(ep.retry.max == 300'000);
  CHECK(ep.max_in_flight == 16);
  CHECK_FALSE(ep.rate_limit);
  CHECK(ep.timeout == 30'000);
  CHECK(ep.max_response_bytes == 256LL * 1024 * 1024);
  CHECK_FALSE(ep.deadline);
  CHECK_FALSE(ep.keep_finished);
  CHECK_FALSE(ep.keep_after_expiry);
  CHECK(ep.not_found_confirmations == 3);
  CHECK(ep.ca_bundle.empty());
  CHECK(ep.settings == nlohmann::json::object());
}

TEST_CASE("database and socket default to systemd's directories") {
  SECTION("set") {
    EnvGuard state("STATE_DIRECTORY", "/var/lib/jobtrack");
    EnvGuard runtime("RUNTIME_DIRECTORY", "/run/jobtrack");
    Config config = parse_ok("");
    CHECK(config.database == "/var/lib/jobtrack/jobtrack.db");
    CHECK(config.socket == "/run/jobtrack/jobtrack.sock");
  }
  SECTION("several directories: the first one") {
    EnvGuard state("STATE_DIRECTORY", "/var/lib/jobtrack:/var/lib/other");
    EnvGuard runtime("RUNTIME_DIRECTORY", "/run/jobtrack:/run/other");
    Config config = parse_ok("");
    CHECK(config.database == "/var/lib/jobtrack/jobtrack.db");
    CHECK(config.socket == "/run/jobtrack/jobtrack.sock");
  }
  SECTION("empty variables count as unset") {
    EnvGuard state("STATE_DIRECTORY", "");
    EnvGuard runtime("RUNTIME_DIRECTORY", "");
    Config config = parse_ok("");
    CHECK(config.database == "./jobtrack.db");
    CHECK(config.socket == "./jobtrack.sock");
  }
  SECTION("the file wins") {
    EnvGuard state("STATE_DIRECTORY", "/var/lib/jobtrack");
    EnvGuard runtime("RUNTIME_DIRECTORY", "/run/jobtrack");
    Config config = parse_ok("database = \"/tmp/a.db\"\nsocket = \"/tmp/a.sock\"\n");
    CHECK(config.database == "/tmp/a.db");
    CHECK(config.socket == "/tmp/a.sock");
  }
}

TEST_CASE("every top-level key is read") {
  Config config = parse_ok(R"(
database = "/srv/jobs.db"
socket = "/srv/jobs.sock"
socket_group = "jobtrack"
log_level = "debug"
keep_finished = "30d"
keep_after_expiry = "1h"
poll_retention = "0"
idle_timeout = "90s"
max_connections = 10
max_message_bytes = "4MiB"
)");
  CHECK(config.socket_group == "jobtrack");
  CHECK(config.log_level == "debug");
  CHECK(config.keep_finished == 30LL * 24 * 3600 * 1000);
  CHECK(config.keep_after_expiry == 3'600'000);
  CHECK(config.poll_retention == 0);
  CHECK(config.idle_timeout == 90'000);
  CHECK(config.max_connections == 10);
  CHECK(config.max_message_bytes == 4 * 1024 * 1024);
  CHECK(parse_ok("max_message_bytes = 65536").max_message_bytes == 65536);
  for (const char* level : {"debug", "info", "notice", "warning", "err"}) {
    CHECK(parse_ok(std::string("log_level = \"") + level + "\"").log_level == level);
  }
}

TEST_CASE("every common endpoint key is read") {
  Config config = parse_ok(R"(
[endpoints.all]
provider = "asana"
base_url = "https://app.asana.com/api/1.0///"
token = { credential = "asana-token" }
poll_initial = "2s"
poll_max = "2m"
poll_factor = 2
retry_initial = "500ms"
retry_max = "10m"
max_in_flight = 10000
rate_limit = "1500/min"
timeout = "10s"
max_response_size = "10MB"
deadline = "1d"
keep_finished = "1h"
keep_after_expiry = "0"
not_found_confirmations = 1
ca_bundle = "/etc/ssl/private-ca.pem"
)");
  const EndpointConfig& ep = config.endpoints.at(0);
  CHECK(ep.base_url == "https://app.asana.com/api/1.0");
  CHECK(ep.token.kind == TokenSource::Kind::credential);
  CHECK(ep.token.name == "asana-token");
  CHECK(ep.poll.initial == 2000);
  CHECK(ep.poll.max == 120'000);
  CHECK(ep.poll.factor == 2.0);
  CHECK(ep.retry.initial == 500);
  CHECK(ep.retry.max == 600'000);
  CHECK(ep.max_in_flight == 10000);
  REQUIRE(ep.rate_limit);
  CHECK(ep.rate_limit->rate == 1500.0);
  CHECK(ep.rate_limit->per == 60'000);
  CHECK(ep.timeout == 10'000);
  CHECK(ep.max_response_bytes == 10'000'000);
  CHECK(ep.deadline == 86'400'000);
  CHECK(ep.keep_finished == 3'600'000);
  CHECK(ep.keep_after_expiry == 0);
  CHECK(ep.not_found_confirmations == 1);
  CHECK(ep.ca_bundle == "/etc/ssl/private-ca.pem");
  CHECK(ep.settings.empty());
}

TEST_CASE("sizes take bytes or a unit") {
  auto size_of = [](const std::string& value) {
    return parse_ok(kMinimal + "max_response_size = " + value + "\n")
        .endpoints.at(0)
        .max_response_bytes;
  };
  CHECK(size_of("1") == 1);
  CHECK(size_of("1048576") == 1'048'576);
  CHECK(size_of("\"4096\"") == 4096);
  CHECK(size_of("\"512B\"") == 512);
  CHECK(size_of("\"10KB\"") == 10'000);
  CHECK(size_of("\"10KiB\"") == 10'240);
  CHECK(size_of("\"10MB\"") == 10'000'000);
  CHECK(size_of("\"256MiB\"") == 256LL * 1024 * 1024);
  CHECK(size_of("\"1GB\"") == 1'000'000'000);
  CHECK(size_of("\"2GiB\"") == 2LL * 1024 * 1024 * 1024);
  CHECK(size_of("\"1.5 mb\"") == 1'500'000);
}

TEST_CASE("rates") {
  auto rate_of = [](const std::string& value) {
    return *parse_ok(kMinimal + "rate_limit = \"" + value + "\"\n").endpoints.at(0).rate_limit;
  };
  CHECK(rate_of("20/s").rate == 20.0);
  CHECK(rate_of("20/s").per == 1000);
  CHECK(rate_of("10/5s").per == 5000);
}

TEST_CASE("token sources") {
  auto token_of = [](const std::string& value) {
    return parse_ok(kMinimal + "token = " + value + "\n").endpoints.at(0).token;
  };
  CHECK(token_of("{ env = \"API_KEY\" }").kind == TokenSource::Kind::env);
  CHECK(token_of("{ file = \"/etc/jobtrack/x.token\" }").kind == TokenSource::Kind::file);
  CHECK(token_of("{ file = \"/etc/jobtrack/x.token\" }").name == "/etc/jobtrack/x.token");
  CHECK(token_of("{ credential = \"x\" }").kind == TokenSource::Kind::credential);

  // The sub-table form is the same thing to TOML.
  Config config = parse_ok(kMinimal + "[endpoints.x.token]\nfile = \"/k\"\n");
  CHECK(config.endpoints.at(0).token.kind == TokenSource::Kind::file);
  CHECK(config.endpoints.at(0).token.name == "/k");
}

TEST_CASE("a token written in the file is refused without being repeated") {
  ConfigError error = parse_error(kMinimal + "token = \"s3cr3t-value\"\n");
  CHECK(error.line == 5);
  CHECK(error.message.find("s3cr3t") == std::string::npos);
  CHECK(error.message.find("endpoints.x.token") != std::string::npos);
  CHECK(error.message.find("env") != std::string::npos);

  error = parse_error(kMinimal + "token = { value = \"s3cr3t-value\" }\n");
  CHECK(error.message.find("s3cr3t") == std::string::npos);
  CHECK(error.message.find("\"value\"") != std::string::npos);
}

TEST_CASE("provider settings land in settings with their lines") {
  SECTION("inline table") {
    Config config = parse_ok(R"(
[endpoints.g]
provider = "generic"
base_url = "https://exports.example.com"
url_template = "{base_url}/v1/exports/{id}"
status_pointer = "/status"
states = { succeeded = ["done"], failed = ["error"] }
flag = true
count = 7
ratio = 0.5
since = 2024-01-02
)");
    const EndpointConfig& ep = config.endpoints.at(0);
    CHECK(ep.settings["url_template"] == "{base_url}/v1/exports/{id}");
    CHECK(ep.settings["status_pointer"] == "/status");
    CHECK(ep.settings["states"] == nlohmann::json{{"succeeded", {"done"}}, {"failed", {"error"}}});
    CHECK(ep.settings["flag"] == true);
    CHECK(ep.settings["count"] == 7);
    CHECK(ep.settings["ratio"] == 0.5);
    CHECK(ep.settings["since"] == "2024-01-02");
    CHECK_FALSE(ep.settings.contains("provider"));
    CHECK_FALSE(ep.settings.contains("base_url"));
    CHECK(ep.key_lines.at("url_template") == 5);
    CHECK(ep.key_lines.at("states") == 7);
    CHECK(ep.key_lines.at("states.succeeded") == 7);
    CHECK(ep.key_lines.at("states.failed") == 7);
  }
  SECTION("sub-table") {
    Config config = parse_ok(R"(
[endpoints.g]
provider = "generic"
base_url = "https://exports.example.com"

[endpoints.g.states]
succeeded = ["done", "finished"]
failed = ["error"]

[endpoints.g.nested.deeper]
key = { a = 1 }
)");
    const EndpointConfig& ep = config.endpoints.at(0);
    CHECK(ep.line == 2);
    CHECK(ep.settings["states"] ==
          nlohmann::json{{"succeeded", {"done", "finished"}}, {"failed", {"error"}}});
    CHECK(ep.settings["nested"] == nlohmann::json{{"deeper", {{"key", {{"a", 1}}}}}});
    CHECK(ep.key_lines.at("states.succeeded") == 7);
    CHECK(ep.key_lines.at("states.failed") == 8);
    CHECK(ep.key_lines.at("nested.deeper.key") == 11);
    CHECK(ep.key_lines.at("nested.deeper.key.a") == 11);
  }
  SECTION("dotted keys") {
    Config config = parse_ok(kMinimal + "states.succeeded = [\"ok\"]\nstates.failed = [\"ko\"]\n");
    const EndpointConfig& ep = config.endpoints.at(0);
    CHECK(ep.settings["states"] == nlohmann::json{{"succeeded", {"ok"}}, {"failed", {"ko"}}});
    CHECK(ep.key_lines.at("states.succeeded") == 5);
    CHECK(ep.key_lines.at("states.failed") == 6);
  }
}

TEST_CASE("endpoints keep file order and are looked up by name") {
  Config config = parse_ok(R"(
[endpoints.zeta]
provider = "ogc"
base_url = "http://a"

[endpoints.alpha]
provider = "ogc"
base_url = "http://b"

[endpoints."my-api.v2_x"]
provider = "ogc"
base_url = "http://c/"
)");
  REQUIRE(config.endpoints.size() == 3);
  CHECK(config.endpoints[0].name == "zeta");
  CHECK(config.endpoints[1].name == "alpha");
  CHECK(config.endpoints[2].name == "my-api.v2_x");
  CHECK(config.endpoints[2].line == 10);
  CHECK(config.endpoint("alpha")->base_url == "http://b");
  CHECK(config.endpoint("my-api.v2_x")->base_url == "http://c");
}

TEST_CASE("errors name the key, the line and what is expected") {
  struct Case {
    std::string text;
    int line;
    std::string message;
  };
  const std::string ep =
      "[endpoints.prism]\nprovider = \"prism\"\nbase_url = \"https://x\"\n";  // lines 1-3
  const Case cases[] = {
      {"bogus = 1\n", 1, "bogus: unknown key (expected one of database,"},
      {"\n\n[endpoint.x]\nprovider = \"prism\"\n", 3, "endpoint: unknown key"},
      {"database = 5\n", 1, "database: expected a string, found an integer"},
      {"database = \"\"\n", 1, "database: must not be empty"},
      {"socket = true\n", 1, "socket: expected a string, found a boolean"},
      {"\nlog_level = \"verbose\"\n", 2,
       "log_level: unknown value \"verbose\" (expected one of debug, info, notice, warning, err)"},
      {"keep_finished = 7\n", 1, "keep_finished: expected a duration string such as \"30s\""},
      {"keep_after_expiry = \"1y\"\n", 1,
       "keep_after_expiry: invalid duration \"1y\": unknown unit \"y\""},
      {"poll_retention = \"-1s\"\n", 1, "poll_retention: invalid duration"},
      {"idle_timeout = \"0\"\n", 1, "idle_timeout: must be longer than zero"},
      {"max_connections = 0\n", 1, "max_connections: must be at least 1, found 0"},
      {"max_connections = 1.5\n", 1, "max_connections: expected an integer, found a float"},
      {"max_connections = 99999999999\n", 1, "max_connections: must be at least 1"},
      {"max_message_bytes = \"10XB\"\n", 1,
       "max_message_bytes: invalid size \"10XB\": unknown unit"},
      {"max_message_bytes = 0\n", 1, "max_message_bytes: must be larger than zero"},
      {"max_message_bytes = [1]\n", 1, "max_message_bytes: expected a size"},
      {"endpoints = 3\n", 1, "endpoints: expected a table of [endpoints.NAME] tables"},
      {"[endpoints]\nx = 3\n", 2, "endpoints.x: expected a table"},
      {"[endpoints.\"a:b\"]\nprovider = \"ogc\"\n", 1, "invalid endpoint name \"a:b\""},
      {"[endpoints.\"\"]\n", 1, "invalid endpoint name \"\""},
      {"\n[endpoints.x]\nbase_url = \"https://x\"\n", 2,
       "endpoints.x: missing required key provider"},
      {"\n[endpoints.x]\nprovider = \"ogc\"\n", 2, "endpoints.x: missing required key base_url"},
      {"[endpoints.x]\nprovider = \"soap\"\n", 2,
       "endpoints.x.provider: unknown value \"soap\" (expected one of prism, ttd-standard, "
       "ttd-graphql, ogc, "
       "asana, generic)"},
      {"[endpoints.x]\nprovider = 1\n", 2,
       "endpoints.x.provider: expected a string, found an integer"},
      {"[endpoints.x]\nprovider = \"ogc\"\nbase_url = \"ftp://x\"\n", 3,
       "endpoints.x.base_url: \"ftp://x\" must start with http:// or https://"},
      {"[endpoints.x]\nprovider = \"ogc\"\nbase_url = \"https://\"\n", 3, "has no host"},
      {"[endpoints.x]\nprovider = \"ogc\"\nbase_url = \"https://a b\"\n", 3,
       "must not contain spaces"},
      {ep + "poll_max = \"6x\"\n", 4,
       "endpoints.prism.poll_max: invalid duration \"6x\": unknown unit \"x\" (use ms, s, m, h, d "
       "or w"},
      {ep + "poll_initial = \"0\"\n", 4, "endpoints.prism.poll_initial: must be longer than zero"},
      {ep + "poll_factor = 0.5\n", 4,
       "endpoints.prism.poll_factor: must be a number of at least 1.0"},
      {ep + "poll_factor = nan\n", 4,
       "endpoints.prism.poll_factor: must be a number of at least 1.0"},
      {ep + "poll_factor = inf\n", 4,
       "endpoints.prism.poll_factor: must be a number of at least 1.0"},
      {ep + "poll_factor = \"2\"\n", 4,
       "endpoints.prism.poll_factor: expected a number, found a string"},
      {ep + "poll_initial = \"2m\"\n", 4,
       "endpoints.prism.poll_initial: poll_initial (2m) must not be longer than poll_max (1m)"},
      {ep + "poll_max = \"500ms\"\n", 4,
       "endpoints.prism.poll_max: poll_initial (1s) must not be longer than"},
      {ep + "retry_initial = \"1h\"\nretry_max = \"1m\"\n", 4,
       "endpoints.prism.retry_initial: retry_initial (1h) must not be longer than retry_max (1m)"},
      {ep + "max_in_flight = 0\n", 4,
       "endpoints.prism.max_in_flight: must be between 1 and 10000, found 0"},
      {ep + "max_in_flight = 10001\n", 4, "must be between 1 and 10000, found 10001"},
      {ep + "max_in_flight = \"16\"\n", 4,
       "endpoints.prism.max_in_flight: expected an integer, found a string"},
      {ep + "rate_limit = \"fast\"\n", 4, "endpoints.prism.rate_limit: invalid rate \"fast\""},
      {ep + "rate_limit = 20\n", 4, "endpoints.prism.rate_limit: expected a rate string"},
      {ep + "timeout = \"\"\n", 4, "endpoints.prism.timeout: empty duration"},
      {ep + "max_response_size = -1\n", 4,
       "endpoints.prism.max_response_size: must be larger than zero"},
      {ep + "max_response_size = \"MB\"\n", 4,
       "endpoints.prism.max_response_size: invalid size \"MB\""},
      {ep + "max_response_size = \"99999999TB\"\n", 4, "too large"},
      {ep + "deadline = \"0\"\n", 4, "endpoints.prism.deadline: must be longer than zero"},
      {ep + "keep_finished = \"forever\"\n", 4, "endpoints.prism.keep_finished: invalid duration"},
      {ep + "not_found_confirmations = 0\n", 4,
       "endpoints.prism.not_found_confirmations: must be at least 1"},
      {ep + "ca_bundle = 1\n", 4, "endpoints.prism.ca_bundle: expected a string"},
      {ep + "token = 5\n", 4, "endpoints.prism.token: expected a table, found an integer"},
      {ep + "token = {}\n", 4,
       "endpoints.prism.token: needs exactly one of env, file or credential"},
      {ep + "token = { env = \"A\", file = \"/b\" }\n", 4,
       "needs exactly one of env, file or credential"},
      {ep + "token = { env = 5 }\n", 4,
       "endpoints.prism.token.env: expected a string, found an integer"},
      {ep + "token = { env = \"\" }\n", 4, "endpoints.prism.token.env: must not be empty"},
      {ep + "token = { credential = \"../x\" }\n", 4,
       "endpoints.prism.token.credential: a credential name"},
      {ep + "\n\n[endpoints.prism.token]\nfile = \"/a\"\nenv = \"B\"\n", 6, "needs exactly one of"},
      {ep + "weird = nan\n", 4, "endpoints.prism.weird: must be a finite number"},
      {ep + "states = { ok = [1, inf] }\n", 4,
       "endpoints.prism.states.ok[1]: must be a finite number"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    ConfigError error = parse_error(c.text);
    CHECK(error.line == c.line);
    CHECK_THAT(error.message, Catch::Contains(c.message));
  }
}

TEST_CASE("TOML syntax errors carry toml++'s line and description") {
  ConfigError error = parse_error("log_level = \"info\"\n\nkeep_finished = \n");
  CHECK(error.line == 3);

  error =
      parse_error("[endpoints.a]\nprovider = \"ogc\"\nbase_url = \"http://a\"\n\n[endpoints.a]\n");
  CHECK(error.line == 5);
  CHECK_THAT(error.message, Catch::Contains("endpoints.a"));

  error = parse_error("a = \"unterminated\n");
  CHECK(error.line == 1);

  error = parse_error("x = 1\nx = 2\n");
  CHECK(error.line == 2);
}

TEST_CASE("ConfigError::to_string") {
  CHECK(ConfigError{"a.toml", 12, "bad"}.to_string() == "a.toml:12: bad");
  CHECK(ConfigError{"a.toml", 0, "bad"}.to_string() == "a.toml: bad");
}

TEST_CASE("load_config reads a file and explains a missing one") {
  char directory[] = "/tmp/jobtrack-config-XXXXXX";
  REQUIRE(::mkdtemp(directory) != nullptr);
  std::string path = std::string(directory) + "/jobtrackd.toml";

  auto missing = jobtrack::load_config(path);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().file == path);
  CHECK(missing.error().line == 0);
  CHECK_THAT(missing.error().message, Catch::Contains("No such file or directory"));

  auto dir = jobtrack::load_config(directory);
  REQUIRE_FALSE(dir);
  CHECK_THAT(dir.error().to_string(), Catch::Contains("not a regular file"));

  { std::ofstream(path) << kMinimal << "poll_max = \"6x\"\n"; }
  auto bad = jobtrack::load_config(path);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().to_string().rfind(path + ":5: endpoints.x.poll_max: invalid duration \"6x\"",
                                      0) == 0);

  { std::ofstream(path) << kMinimal; }
  auto good = jobtrack::load_config(path);
  REQUIRE(good);
  CHECK(good->path == path);
  CHECK(good->endpoints.size() == 1);

  std::remove(path.c_str());
  ::rmdir(directory);
}

TEST_CASE("the example configuration parses") {
  auto config = jobtrack::load_config(JOBTRACK_SOURCE_DIR "/systemd/jobtrackd.toml.example");
  if (!config) FAIL(config.error().to_string());
  std::set<std::string> providers;
  for (const auto& ep : config->endpoints) providers.insert(ep.provider);
  CHECK(providers ==
        std::set<std::string>{"prism", "ttd-standard", "ttd-graphql", "ogc", "asana", "generic"});

  const EndpointConfig* prism = config->endpoint("prism");
  REQUIRE(prism);
  CHECK(prism->settings.contains("team_id"));

  const EndpointConfig* graphql = nullptr;
  const EndpointConfig* generic = nullptr;
  for (const auto& ep : config->endpoints) {
    if (ep.provider == "ttd-graphql") graphql = &ep;
    if (ep.provider == "generic") generic = &ep;
  }
  REQUIRE(graphql);
  CHECK(graphql->settings["job_kind"] == "bulk");
  REQUIRE(generic);
  CHECK(generic->settings["url_template"] == "{base_url}/v1/exports/{id}");
  for (const char* key : {"auth_header", "auth_prefix", "status_pointer", "progress_pointer",
                          "result_url_pointer", "expires_pointer", "error_pointer", "states"}) {
    INFO(key);
    CHECK(generic->settings.contains(key));
    CHECK(generic->key_lines.count(key) == 1);
  }
  CHECK(generic->settings["states"]["succeeded"] == nlohmann::json{"done"});
}

TEST_CASE("random and mutated input never crashes") {
  const std::string seeds[] = {
      kMinimal,
      "database = \"/a\"\n[endpoints.p]\nprovider = \"prism\"\nbase_url = \"https://x/\"\nteam_id "
      "= \"t\"\n"
      "token = { env = \"K\" }\npoll_initial = \"1s\"\npoll_max = \"60s\"\npoll_factor = 1.5\n"
      "max_in_flight = 16\ntimeout = \"30s\"\nmax_response_size = \"10MB\"\nrate_limit = \"20/s\"\n"
      "[endpoints.p.states]\nsucceeded = [\"done\"]\nwhen = 1979-05-27T07:32:00Z\n",
  };
  using namespace std::string_literals;
  const std::string alphabet = "[]{}=\"'.,#\n \t\\01az_-:+eE/\x80\xff\x00"s;  // NUL included
  std::mt19937 random(20240601);
  auto pick = [&](std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(random);
  };
  int parsed = 0;
  for (int round = 0; round < 600; ++round) {
    std::string text;
    if (round < 150) {
      std::size_t length = pick(200);
      for (std::size_t i = 0; i < length; ++i) text.push_back(static_cast<char>(pick(256)));
    } else {
      text = seeds[pick(std::size(seeds))];
      std::size_t edits = 1 + pick(8);
      for (std::size_t e = 0; e < edits && !text.empty(); ++e) {
        std::size_t at = pick(text.size());
        char c = alphabet[pick(alphabet.size())];
        switch (pick(4)) {
          case 0:
            text[at] = c;
            break;
          case 1:
            text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), c);
            break;
          case 2:
            text.erase(at, 1 + pick(5));
            break;
          default:
            text.resize(at);
            break;
        }
      }
    }
    auto config = parse_config(text, "fuzz.toml");
    if (config) {
      ++parsed;
    } else {
      CHECK_FALSE(config.error().message.empty());
      CHECK(config.error().line >= 0);
    }
  }
  // Some mutations leave a valid file; the point is that none crashed.
  CHECK(parsed > 0);
}

TEST_CASE("endpoint_error points at a settings key, its parent or the header") {
  Config config = parse_ok(R"(
[endpoints.g]
provider = "generic"
base_url = "https://exports.example.com"

[endpoints.g.states]
succeeded = ["done"]
)");
  const EndpointConfig& ep = config.endpoints.at(0);
  CHECK(jobtrack::endpoint_error(config, ep, "states.succeeded", "bad state").to_string() ==
        "jobtrackd.toml:7: endpoints.g.states.succeeded: bad state");
  CHECK(jobtrack::endpoint_error(config, ep, "states.succeeded[0]", "x").line == 7);
  CHECK(jobtrack::endpoint_error(config, ep, "states.done", "x").line == 6);
  CHECK(jobtrack::endpoint_error(config, ep, "url_template", "missing").to_string() ==
        "jobtrackd.toml:2: endpoints.g.url_template: missing");
  CHECK(jobtrack::endpoint_error(config, ep, "", "whole").to_string() ==
        "jobtrackd.toml:2: endpoints.g: whole");
}

TEST_CASE("on_transition and hook_timeout are read globally and per endpoint") {
  Config config = parse_ok(R"(on_transition = ["/usr/local/bin/notify", "--quiet"]
hook_timeout = "5s"
[endpoints.a]
provider = "prism"
base_url = "https://a.example.com"
on_transition = ["/opt/a/hook"]
[endpoints.b]
provider = "prism"
base_url = "https://b.example.com"
)");
  CHECK(config.on_transition == std::vector<std::string>{"/usr/local/bin/notify", "--quiet"});
  CHECK(config.hook_timeout == 5000);
  CHECK(config.endpoints.at(0).on_transition == std::vector<std::string>{"/opt/a/hook"});
  CHECK(config.endpoints.at(1).on_transition.empty());
  CHECK_FALSE(config.endpoints.at(0).settings.contains("on_transition"));
}

TEST_CASE("hooks default to none with a 30 s timeout") {
  Config config = parse_ok("");
  CHECK(config.on_transition.empty());
  CHECK(config.hook_timeout == 30'000);
}

TEST_CASE("a bad on_transition is an error at its line") {
  ConfigError error = parse_error("log_level = \"info\"\non_transition = \"notify --quiet\"\n");
  CHECK(error.line == 2);
  CHECK_THAT(error.message, Catch::Contains("array of strings"));

  error = parse_error("on_transition = []\n");
  CHECK(error.line == 1);
  CHECK_THAT(error.message, Catch::Contains("must not be empty"));

  error = parse_error("on_transition = [\"/bin/hook\", 3]\n");
  CHECK_THAT(error.message, Catch::Contains("element 2 must be a string"));

  error = parse_error("on_transition = [\"notify\"]\n");
  CHECK_THAT(error.message, Catch::Contains("absolute path"));

  error = parse_error(R"([endpoints.a]
provider = "prism"
base_url = "https://a.example.com"
on_transition = ["sh", "-c", "echo $JOBTRACK_REMOTE_ID"]
)");
  CHECK(error.line == 4);
  CHECK_THAT(error.message, Catch::Contains("endpoints.a.on_transition"));

  error = parse_error("hook_timeout = \"0s\"\n");
  CHECK(error.line == 1);
}
