// jobtrackd's configuration: the TOML file read at start and on SIGHUP.
//
// load_config() parses and validates in one go; every error names the file
// and line it concerns, so `jobtrackd --check-config` can point at it. A
// Config holds token *references* only, never token values (see secret.h).
// Plain data, built once and then read by the loop thread.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "daemon/job.h"

namespace jobtrack {

// Where an endpoint's token comes from. Tokens are never written in the file.
struct TokenSource {
  enum class Kind { none, env, file, credential };
  Kind kind = Kind::none;
  std::string name;  // variable name, file path or credential name
};

// Exponential growth of a delay: initial, times factor after each step, capped.
struct Backoff {
  Millis initial = 1000;
  double factor = 1.5;
  Millis max = 60'000;
};

// A token bucket: `rate` requests per `per` milliseconds, bursts up to `rate`.
struct RateLimit {
  double rate = 0;
  Millis per = 1000;
};

struct EndpointConfig {
  std::string name;
  std::string provider;  // prism, ttd-standard, ttd-graphql, ogc, asana, generic
  std::string base_url;
  TokenSource token;
  Backoff poll{1000, 1.5, 60'000};    // healthy polling interval
  Backoff retry{1000, 2.0, 300'000};  // after a failed poll: full jitter, capped
  int max_in_flight = 16;
  std::optional<RateLimit> rate_limit;
  Millis timeout = 30'000;
  std::int64_t max_response_bytes = 256LL * 1024 * 1024;
  std::optional<Millis> deadline;           // default per-job deadline
  std::optional<Millis> keep_finished;      // overrides the global one
  std::optional<Millis> keep_after_expiry;  // overrides the global one
  int not_found_confirmations = 3;
  std::string ca_bundle;  // empty: the system's
  // argv of the command run on every state change of this endpoint's jobs
  // (hooks.h); empty: the global one, if any.
  std::vector<std::string> on_transition;
  // Keys the common part does not know, for the provider (team_id, job_kind,
  // url_template, status_pointer, states, ...), converted to JSON.
  nlohmann::json settings = nlohmann::json::object();
  std::map<std::string, int> key_lines;  // line of every key in the table
  int line = 0;                          // line of the [endpoints.NAME] header
};

struct Config {
  std::string path;                // the file it was read from ("" when built in code)
  std::string database;            // default $STATE_DIRECTORY/jobtrack.db, else ./jobtrack.db
  std::string socket;              // default $RUNTIME_DIRECTORY/jobtrack.sock, else ./jobtrack.sock
  std::string socket_group;        // group of a socket the daemon binds itself ("" keeps ours)
  std::string log_level = "info";  // debug, info, notice, warning, err
  Millis keep_finished = 7LL * 24 * 3600 * 1000;
  Millis keep_after_expiry = 0;
  Millis poll_retention = 24LL * 3600 * 1000;  // how long rows of `polls` are kept
  int max_connections = 256;
  std::int64_t max_message_bytes = 1024 * 1024;
  Millis idle_timeout = 300'000;
  std::vector<std::string> on_transition;  // hook argv for endpoints without their own
  Millis hook_timeout = 30'000;            // then SIGTERM, then SIGKILL
  std::vector<EndpointConfig> endpoints;   // in file order

  const EndpointConfig* endpoint(std::string_view name) const;
};

struct ConfigError {
  std::string file;
  int line = 0;  // 0 when no line applies
  std::string message;
  std::string to_string() const;  // "FILE:LINE: MESSAGE"
};

// An error about `key` of an endpoint's table (a settings key such as
// "states.succeeded", as make_provider() names them; "" for the table as a
// whole), at that key's line or, failing that, its parent's or the header's.
ConfigError endpoint_error(const Config& config, const EndpointConfig& endpoint,
                           std::string_view key, std::string_view message);

// Reads and validates the file at `path`. Provider-specific settings are
// checked by build_endpoints() (endpoints.h), which needs the providers.
tl::expected<Config, ConfigError> load_config(const std::string& path);
// The same, from text (for tests); `name` stands in for the file name.
tl::expected<Config, ConfigError> parse_config(std::string_view text, const std::string& name);

}  // namespace jobtrack
