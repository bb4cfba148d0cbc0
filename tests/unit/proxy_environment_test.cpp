// ProxyEnvironment against libcurl's rules for proxy variables.
#include "daemon/proxy_environment.h"

#include <map>
#include <string>

#include <catch2/catch.hpp>

using jobtrack::ProxyEnvironment;

namespace {

ProxyEnvironment from(const std::map<std::string, std::string>& variables) {
  return ProxyEnvironment([&variables](const char* name) -> const char* {
    const auto it = variables.find(name);
    return it == variables.end() ? nullptr : it->second.c_str();
  });
}

}  // namespace

TEST_CASE("no proxy variables mean no proxy for either scheme") {
  const auto env = from({});
  CHECK(env.proxy_for("http").empty());
  CHECK(env.proxy_for("https").empty());
  CHECK(env.no_proxy().empty());
  CHECK(env.same_for_all());
}

TEST_CASE("the scheme's own variable wins over all_proxy") {
  const auto env = from(
      {{"http_proxy", "http://h:1"}, {"https_proxy", "http://s:2"}, {"all_proxy", "http://a:3"}});
  CHECK(env.proxy_for("http") == "http://h:1");
  CHECK(env.proxy_for("https") == "http://s:2");
  CHECK_FALSE(env.same_for_all());
}

TEST_CASE("HTTP_PROXY in upper case is never read, HTTPS_PROXY is") {
  const auto env = from({{"HTTP_PROXY", "http://h:1"}, {"HTTPS_PROXY", "http://s:2"}});
  CHECK(env.proxy_for("http").empty());
  CHECK(env.proxy_for("https") == "http://s:2");
}

TEST_CASE("all_proxy, then ALL_PROXY, serve a scheme without its own variable") {
  CHECK(from({{"all_proxy", "http://a:3"}, {"ALL_PROXY", "http://b:4"}}).proxy_for("http") ==
        "http://a:3");
  CHECK(from({{"ALL_PROXY", "http://b:4"}}).proxy_for("https") == "http://b:4");
}

TEST_CASE("a variable set to nothing counts as unset") {
  const auto env = from({{"http_proxy", ""},
                         {"all_proxy", "http://a:3"},
                         {"no_proxy", ""},
                         {"NO_PROXY", "example.com"}});
  CHECK(env.proxy_for("http") == "http://a:3");
  CHECK(env.no_proxy() == "example.com");
}

TEST_CASE("no_proxy wins over NO_PROXY") {
  CHECK(from({{"no_proxy", "a.example"}, {"NO_PROXY", "b.example"}}).no_proxy() == "a.example");
}
