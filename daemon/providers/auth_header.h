// The optional token header of providers whose authentication is set per
// endpoint (ogc, generic): settings `auth_header` (the header's name) and
// `auth_prefix` (put before the token, e.g. "Bearer "). Immutable; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "daemon/providers/provider.h"

namespace jobtrack::providers {

class AuthHeader {
 public:
  // Reads and checks both settings; an empty header name sends no header.
  static tl::expected<AuthHeader, ProviderError> from(const EndpointConfig& endpoint,
                                                      std::string_view default_header,
                                                      std::string_view default_prefix);

  // "Name: prefix+token", or nullopt when there is no header or no token.
  std::optional<std::string> line(std::string_view token) const;

 private:
  std::string header_;
  std::string prefix_;
};

}  // namespace jobtrack::providers
