#include "fuzz/targets.h"

#include <algorithm>
#include <memory>
#include <string>

#include "daemon/config.h"
#include "daemon/endpoints.h"
#include "daemon/protocol/durations.h"
#include "daemon/protocol/times.h"
#include "daemon/protocol/varlink.h"
#include "daemon/providers/flat_json.h"
#include "daemon/providers/json_fields.h"
#include "daemon/providers/provider.h"

namespace jobtrack::fuzz {
namespace {

std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return size == 0 ? std::string_view()
                   : std::string_view(reinterpret_cast<const char*>(data), size);
}

// Reads every parameter through each typed getter, so wrong types meet
// every branch; the values themselves are discarded.
void exercise_params(const nlohmann::json& parameters) {
  static constexpr std::string_view kNames[] = {
      "id", "endpoint", "remote_id", "label", "state", "limit", "errors_only", "states", "missing"};
  {
    protocol::Params params(parameters);
    for (std::string_view name : kNames) {
      (void)params.optional_string(name);
      (void)params.required_string(name);
      (void)params.optional_int(name);
      (void)params.optional_bool(name);
      (void)params.optional_string_list(name);
    }
    (void)params.no_unknown();
  }
  protocol::Params params(parameters);
  if (parameters.is_object()) {
    for (const auto& item : parameters.items()) {
      (void)params.optional_string_list(item.key());
      (void)params.optional_int(item.key());
    }
  }
  (void)params.no_unknown();
}

// A configuration with one endpoint for every provider, as the example
// configuration has them.
constexpr std::string_view kProviderConfig = R"(
[endpoints.prism]
provider = "prism"
base_url = "https://prism.example"
team_id = "team"

[endpoints.ttd-standard]
provider = "ttd-standard"
base_url = "https://ttd.example/v3"

[endpoints.ttd-graphql]
provider = "ttd-graphql"
base_url = "https://ttd.example/graphql"
job_kind = "bulk"

[endpoints.ogc]
provider = "ogc"
base_url = "https://ogc.example"

[endpoints.asana]
provider = "asana"
base_url = "https://asana.example/api/1.0"

[endpoints.generic]
provider = "generic"
base_url = "https://exports.example"
url_template = "{base_url}/v1/exports/{id}"
status_pointer = "/status"
progress_pointer = "/progress"
result_url_pointer = "/result/url"
expires_pointer = "/result/expires_at"
error_pointer = "/error/message"

[endpoints.generic.states]
queued = ["pending"]
running = ["running"]
succeeded = ["done"]
failed = ["error"]
cancelled = ["cancelled"]
)";

// The providers this build can make: every name of provider_names() that
// has an endpoint above and builds (the others are skipped).
const std::vector<std::unique_ptr<Provider>>& providers() {
  static const std::vector<std::unique_ptr<Provider>> built = [] {
    std::vector<std::unique_ptr<Provider>> out;
    auto config = parse_config(kProviderConfig, "fuzz-providers.toml");
    if (!config) return out;
    for (std::string_view name : provider_names()) {
      for (const EndpointConfig& endpoint : config->endpoints) {
        if (endpoint.provider != name) continue;
        if (auto made = make_provider(endpoint)) out.push_back(std::move(*made));
      }
    }
    return out;
  }();
  return built;
}

}  // namespace

void fuzz_varlink(const std::uint8_t* data, std::size_t size) {
  // The first byte picks the read size, so messages split across reads in
  // every way; the limit is small so too_large is reached too.
  if (size == 0) return;
  std::size_t piece = static_cast<std::size_t>(data[0] % 64) + 1;
  std::string_view bytes = as_text(data + 1, size - 1);
  protocol::MessageReader reader(512);
  std::string message;
  for (std::size_t offset = 0;; offset += piece) {
    if (offset < bytes.size()) {
      std::size_t length = std::min(piece, bytes.size() - offset);
      reader.feed(bytes.data() + offset, length);
    }
    for (;;) {
      auto status = reader.next(message);
      if (status == protocol::MessageReader::Status::need_more) break;
      if (status == protocol::MessageReader::Status::too_large) continue;
      auto call = protocol::parse_call(message);
      if (!call) {
        (void)protocol::encode(protocol::error_reply(call.error()));
        continue;
      }
      exercise_params(call->parameters);
      (void)protocol::encode(protocol::reply(call->parameters, call->more));
    }
    if (offset >= bytes.size()) break;
  }
  // The whole input as one message too, without framing.
  if (auto call = protocol::parse_call(bytes)) exercise_params(call->parameters);
}

namespace {

// A body both readers take must read the same through both, field by
// field, errors included (flat_json.h); a difference is a crash. The DOM
// may refuse what the flat parse took (raw control characters in strings).
void check_flat_reads_match(std::string_view body) {
  auto flat = parse_flat_object(body);
  if (!flat) return;
  auto dom = parse_json_object(body);
  if (!dom) return;
  for (const auto& item : dom->items()) {
    const std::string& key = item.key();
    FieldReader by_dom(*dom);
    FlatFieldReader by_flat(*flat);
    const bool same =
        by_dom.string(key) == by_flat.string(key) && by_dom.integer(key) == by_flat.integer(key) &&
        by_dom.time(key) == by_flat.time(key) &&
        (by_dom.object(key) != nullptr) == by_flat.object(key).has_value() &&
        (by_dom.array(key) != nullptr) == by_flat.array(key) && by_dom.error() == by_flat.error();
    if (!same) __builtin_trap();
  }
}

}  // namespace

void fuzz_providers(const std::uint8_t* data, std::size_t size) {
  std::string_view body = as_text(data, size);
  check_flat_reads_match(body);
  for (const auto& provider : providers()) {
    (void)provider->parse_status(body);
    (void)provider->error_message(body);
    HttpResponse response;
    response.status = 404;
    response.body = std::string(body);
    response.content_type = "application/problem+json";
    (void)provider->is_no_such_job(response);
    response.content_type = "application/json";
    (void)provider->is_no_such_job(response);
  }
}

void fuzz_config(const std::uint8_t* data, std::size_t size) {
  auto config = parse_config(as_text(data, size), "fuzz.toml");
  if (!config) {
    (void)config.error().to_string();
    return;
  }
  auto endpoints = build_endpoints(*config, ResolveTokens::no);
  if (!endpoints) (void)endpoints.error().to_string();
}

void fuzz_durations(const std::uint8_t* data, std::size_t size) {
  std::string_view text = as_text(data, size);
  if (auto ms = protocol::parse_duration_ms(text)) (void)protocol::format_duration_ms(*ms);
  (void)protocol::parse_rate(text);
  if (auto at = protocol::parse_iso8601(text)) (void)protocol::format_iso8601(*at);
  if (auto at = protocol::parse_http_date(text)) (void)protocol::format_iso8601(*at);
}

const std::vector<Target>& targets() {
  static const std::vector<Target> all = {
      {"varlink", &fuzz_varlink},
      {"providers", &fuzz_providers},
      {"config", &fuzz_config},
      {"durations", &fuzz_durations},
  };
  return all;
}

}  // namespace jobtrack::fuzz
