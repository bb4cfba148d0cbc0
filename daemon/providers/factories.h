// One factory per remote API, each defined in its own file in this folder
// (prism.cpp, ttd_standard.cpp, ...). make_provider() in registry.cpp picks
// one by the endpoint's `provider` name. A factory validates the endpoint's
// provider-specific settings and reports the first bad key.
#pragma once

#include "daemon/providers/provider.h"

namespace jobtrack::providers {

using Made = tl::expected<std::unique_ptr<Provider>, ProviderError>;

Made make_prism(const EndpointConfig& endpoint);
Made make_ttd_standard(const EndpointConfig& endpoint);
Made make_ttd_graphql(const EndpointConfig& endpoint);
Made make_ogc(const EndpointConfig& endpoint);
Made make_asana(const EndpointConfig& endpoint);
Made make_generic(const EndpointConfig& endpoint);

// Reads a required/optional string setting; errors name the key.
tl::expected<std::string, ProviderError> required_setting(const EndpointConfig& endpoint,
                                                          std::string_view key);
tl::expected<std::optional<std::string>, ProviderError> optional_setting(
    const EndpointConfig& endpoint, std::string_view key);
// Refuses settings keys the provider does not know (typos).
tl::expected<void, ProviderError> only_settings(const EndpointConfig& endpoint,
                                                std::initializer_list<std::string_view> known);

}  // namespace jobtrack::providers
