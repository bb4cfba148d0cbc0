#include "daemon/endpoints.h"

#include <fmt/format.h>

#include "daemon/secret.h"

namespace jobtrack {

tl::expected<std::vector<std::unique_ptr<EndpointRuntime>>, ConfigError> build_endpoints(
    const Config& config, ResolveTokens tokens) {
  std::vector<std::unique_ptr<EndpointRuntime>> out;
  for (const EndpointConfig& endpoint : config.endpoints) {
    auto provider = make_provider(endpoint);
    if (!provider)
      return tl::make_unexpected(
          endpoint_error(config, endpoint, provider.error().key, provider.error().message));
    auto runtime = std::make_unique<EndpointRuntime>();
    runtime->config = endpoint;
    runtime->provider = std::move(*provider);
    runtime->policy = TrackerPolicy::from(endpoint, config);
    runtime->limits =
        TransferLimits{endpoint.timeout, endpoint.max_response_bytes, endpoint.ca_bundle};
    if (tokens == ResolveTokens::yes) {
      auto token = resolve_token(endpoint.token);
      if (!token)
        return tl::make_unexpected(endpoint_error(config, endpoint, "token", token.error()));
      runtime->token = std::move(*token);
    }
    out.push_back(std::move(runtime));
  }
  return out;
}

}  // namespace jobtrack
