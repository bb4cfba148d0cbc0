// Factories of providers whose files have not landed yet refuse clearly.
#include <fmt/format.h>

#include "daemon/providers/factories.h"

namespace jobtrack::providers {
namespace {

Made not_available(const EndpointConfig& endpoint) {
  return tl::make_unexpected(ProviderError{
      "provider", fmt::format("provider \"{}\" is not available in this build", endpoint.provider)});
}

}  // namespace

Made make_ttd_standard(const EndpointConfig& endpoint) { return not_available(endpoint); }
Made make_ttd_graphql(const EndpointConfig& endpoint) { return not_available(endpoint); }
Made make_ogc(const EndpointConfig& endpoint) { return not_available(endpoint); }
Made make_asana(const EndpointConfig& endpoint) { return not_available(endpoint); }
Made make_generic(const EndpointConfig& endpoint) { return not_available(endpoint); }

}  // namespace jobtrack::providers
