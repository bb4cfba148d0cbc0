// split_plain_url: which URLs may skip libcurl's parse on a reused handle;
// HandleUrl: that a handle's next URL to the same origin sets only the path
// and query, and anything else is parsed anew or left to libcurl. What goes
// on the wire is checked in poller_test.
#include "daemon/handle_url.h"

#include <catch2/catch.hpp>
#include <curl/curl.h>

using jobtrack::HandleUrl;
using jobtrack::split_plain_url;

TEST_CASE("a plain URL splits into origin, path and query") {
  auto parts = split_plain_url("https://user@api.example.com:8443/v2/jobs/job-7?team=a&x=1");
  REQUIRE(parts);
  CHECK(parts->origin == "https://user@api.example.com:8443");
  CHECK(parts->path == "/v2/jobs/job-7");
  CHECK(parts->query == "team=a&x=1");

  parts = split_plain_url("http://127.0.0.1:8080/");
  REQUIRE(parts);
  CHECK(parts->origin == "http://127.0.0.1:8080");
  CHECK(parts->path == "/");
  CHECK(parts->query.empty());
}

TEST_CASE("URLs libcurl's parser would change or reject are not plain") {
  for (const char* url : {
           "http://h",              // no path: libcurl adds "/"
           "http://h?x=1",          // a query without a path
           "http:///p",             // no authority
           "h/p",                   // no scheme
           "://h/p",                // an empty scheme
           "http://h/a/./b",        // dot segments are resolved
           "http://h/a/../b",       //
           "http://h/.well-known",  // any "/." is left to libcurl
           "http://h/a%2Fb",        // percent-encoding
           "http://h/a b",          // a space
           "http://h/a#frag",       // a fragment
           "http://h/a?",           // an empty query
           "http://h/a?x=%41",      // percent-encoding in the query
           "http://h/caf\xc3\xa9",  // a byte beyond ASCII
           "http://h/a\tb",         // a control character
       }) {
    INFO(url);
    CHECK_FALSE(split_plain_url(url));
  }
}

TEST_CASE("a handle's next URL to the same origin reuses the parsed origin") {
  CURL* easy = curl_easy_init();
  REQUIRE(easy);
  {
    HandleUrl url;
    url.apply(easy, "http://127.0.0.1:9/jobs/1");
    CHECK_FALSE(url.reused_origin());  // the first is parsed whole
    url.apply(easy, "http://127.0.0.1:9/jobs/2?verbose=1");
    CHECK(url.reused_origin());
    url.apply(easy, "http://127.0.0.1:10/jobs/3");  // another port: another origin
    CHECK_FALSE(url.reused_origin());
    url.apply(easy, "http://127.0.0.1:10/jobs/%33");  // not plain: left to libcurl
    CHECK_FALSE(url.reused_origin());
    url.apply(easy, "http://127.0.0.1:10/jobs/4");  // parsed anew after that
    CHECK_FALSE(url.reused_origin());
    url.apply(easy, "http://127.0.0.1:10/jobs/5");
    CHECK(url.reused_origin());

    HandleUrl moved(std::move(url));  // the pool moves handles about
    moved.apply(easy, "http://127.0.0.1:10/jobs/6");
    CHECK(moved.reused_origin());
  }
  curl_easy_cleanup(easy);  // after the parsed URL: libcurl only points at it
}
