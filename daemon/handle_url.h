// HandleUrl: a pooled easy handle's URL, kept parsed in libcurl's URL API
// (CURLOPT_CURLU) between its transfers. Told only CURLOPT_URL, libcurl
// parses the whole URL on every transfer and prints it back to normalize it
// (about 13 k instructions of a poll's 190 k). Most of a daemon's transfers
// go to the origin (scheme, user, host and port) of the handle's previous
// one, and then only the path and query are set in the parsed URL.
//
// Only a "plain" URL takes that path (split_plain_url): scheme://authority,
// then a path and optional query made of characters libcurl's parser keeps
// as they are (RFC 3986 unreserved, sub-delims, ':', '@', '/', and '?' in
// the query), with no dot segment, no '%' (libcurl lowercases the hex of a
// path set on its own) and no fragment. Any other URL is left to libcurl
// (CURLOPT_URL alone), so what goes on the wire never differs from what
// libcurl's own parse would send, and a URL libcurl rejects fails the
// transfer with libcurl's own error.
//
// CURLOPT_URL is set as well, always: libcurl uses the parsed URL when both
// are set, and reports CURLOPT_URL as the effective URL without printing the
// parsed one. libcurl copies the parsed URL when the transfer starts; it is
// changed only when the handle's next transfer is set up.
//
// Owned with its handle by the Poller; loop thread only.
#pragma once

#include <optional>
#include <string>
#include <string_view>

typedef void CURL;
typedef struct Curl_URL CURLU;

namespace jobtrack {

struct PlainUrl {
  std::string_view origin;  // "http://host:port", no trailing '/'
  std::string_view path;    // "/..."
  std::string_view query;   // after '?'; empty when there is none
};

// The parts of a plain URL (see above); nullopt for any other.
std::optional<PlainUrl> split_plain_url(std::string_view url);

class HandleUrl {
 public:
  HandleUrl() = default;
  ~HandleUrl();
  HandleUrl(const HandleUrl&) = delete;
  HandleUrl& operator=(const HandleUrl&) = delete;
  HandleUrl(HandleUrl&& other) noexcept;
  HandleUrl& operator=(HandleUrl&& other) noexcept;

  // Points `easy` at `url` for its next transfer.
  void apply(CURL* easy, const std::string& url);

  // Whether the last apply() set only the path and query (for tests).
  bool reused_origin() const { return reused_origin_; }

 private:
  CURLU* parsed_ = nullptr;
  std::string origin_;  // of the URL in parsed_; empty when parsed_ holds none
  std::string part_;    // a NUL-terminated copy of a part, reused
  bool reused_origin_ = false;
};

}  // namespace jobtrack
