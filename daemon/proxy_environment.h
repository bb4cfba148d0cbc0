// ProxyEnvironment: the proxy settings libcurl would read from the
// environment (http_proxy, https_proxy / HTTPS_PROXY, all_proxy /
// ALL_PROXY, no_proxy / NO_PROXY), read once at start instead. libcurl
// looks them up on every transfer it is not told a proxy for, five getenv()
// calls that each walk the whole environment; the Poller tells it instead,
// with the values libcurl itself would have found. The environment does not
// change while the daemon runs, so the behaviour is the same.
//
// Rules, as libcurl 7.88 applies them: the scheme's variable in lower case
// (`http_proxy`), then in upper case except for http (HTTP_PROXY can be set
// by a CGI client's Proxy: header, so curl never reads it), then
// all_proxy, then ALL_PROXY. A variable set to nothing counts as unset. no_proxy, then
// NO_PROXY, names the hosts that bypass it.
//
// A plain value; built on any thread, read by the Poller's (the loop's).
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace jobtrack {

class ProxyEnvironment {
 public:
  // nullptr: the variable is not set.
  using Lookup = std::function<const char*(const char* name)>;

  // Reads the process environment.
  ProxyEnvironment();
  // Reads through `lookup` (tests).
  explicit ProxyEnvironment(const Lookup& lookup);

  // The proxy for a URL of `scheme` ("http" or "https"); empty: none.
  const std::string& proxy_for(std::string_view scheme) const;
  // Whether both schemes go through the same proxy (or none).
  bool same_for_all() const { return http_ == https_; }
  // The hosts that bypass the proxy, as CURLOPT_NOPROXY takes them.
  const std::string& no_proxy() const { return no_proxy_; }

 private:
  std::string http_;
  std::string https_;
  std::string no_proxy_;
};

}  // namespace jobtrack
