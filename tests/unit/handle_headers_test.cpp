// HandleHeaders: the list is built again only when a transfer's headers
// differ from the previous one's on the handle. What goes on the wire is
// checked in poller_test.
#include "daemon/handle_headers.h"

#include <catch2/catch.hpp>
#include <curl/curl.h>

using jobtrack::HandleHeaders;

TEST_CASE("a handle's header list is kept while the headers stay the same") {
  CURL* easy = curl_easy_init();
  REQUIRE(easy);
  {
    HandleHeaders headers;
    const std::vector<std::string> prism = {"Accept: application/json", "x-api-key: k1"};
    REQUIRE(headers.apply(easy, prism));
    CHECK_FALSE(headers.reused());
    REQUIRE(headers.apply(easy, prism));
    CHECK(headers.reused());
    REQUIRE(headers.apply(easy, {"Accept: application/json", "x-api-key: k2"}));
    CHECK_FALSE(headers.reused());  // another token
    REQUIRE(headers.apply(easy, {}));
    CHECK_FALSE(headers.reused());
    REQUIRE(headers.apply(easy, {}));
    CHECK(headers.reused());  // no headers of the request's own: only the daemon's

    HandleHeaders moved(std::move(headers));
    REQUIRE(moved.apply(easy, {}));
    CHECK(moved.reused());
  }
  curl_easy_cleanup(easy);
}
