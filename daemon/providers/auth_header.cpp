#include "daemon/providers/auth_header.h"

#include <algorithm>

#include <fmt/format.h>

#include "daemon/providers/factories.h"

namespace jobtrack::providers {
namespace {

// RFC 9110 token characters: what a header name may be made of.
bool header_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool control_char(char c) {
  return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
}

}  // namespace

tl::expected<AuthHeader, ProviderError> AuthHeader::from(const EndpointConfig& endpoint,
                                                         std::string_view default_header,
                                                         std::string_view default_prefix) {
  auto header = optional_setting(endpoint, "auth_header");
  if (!header) return tl::make_unexpected(header.error());
  auto prefix = optional_setting(endpoint, "auth_prefix");
  if (!prefix) return tl::make_unexpected(prefix.error());
  AuthHeader out;
  out.header_ = header->value_or(std::string(default_header));
  out.prefix_ = prefix->value_or(std::string(default_prefix));
  if (!std::all_of(out.header_.begin(), out.header_.end(), header_name_char)) {
    return tl::make_unexpected(ProviderError{
        "auth_header", fmt::format("auth_header \"{}\" is not a valid header name", out.header_)});
  }
  // A line break in the prefix would let it add headers of its own.
  if (std::any_of(out.prefix_.begin(), out.prefix_.end(), control_char)) {
    return tl::make_unexpected(
        ProviderError{"auth_prefix", "auth_prefix must not contain control characters"});
  }
  if (out.header_.empty() && *prefix) {
    return tl::make_unexpected(ProviderError{"auth_prefix", "auth_prefix needs auth_header"});
  }
  return out;
}

std::optional<std::string> AuthHeader::line(std::string_view token) const {
  if (header_.empty() || token.empty()) return std::nullopt;
  return fmt::format("{}: {}{}", header_, prefix_, token);
}

}  // namespace jobtrack::providers
