#include "daemon/proxy_environment.h"

#include <cstdlib>
#include <initializer_list>

namespace jobtrack {
namespace {

std::string first_set(const ProxyEnvironment::Lookup& lookup,
                      std::initializer_list<const char*> names) {
  for (const char* name : names) {
    // As curl_getenv(): a variable set to nothing is not set.
    const char* value = lookup(name);
    if (value && *value) return value;
  }
  return {};
}

}  // namespace

ProxyEnvironment::ProxyEnvironment()
    : ProxyEnvironment([](const char* name) -> const char* { return std::getenv(name); }) {}

ProxyEnvironment::ProxyEnvironment(const Lookup& lookup)
    : http_(first_set(lookup, {"http_proxy", "all_proxy", "ALL_PROXY"})),
      https_(first_set(lookup, {"https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"})),
      no_proxy_(first_set(lookup, {"no_proxy", "NO_PROXY"})) {}

const std::string& ProxyEnvironment::proxy_for(std::string_view scheme) const {
  return scheme == "https" ? https_ : http_;
}

}  // namespace jobtrack
