// HandleHeaders: the request headers of a pooled easy handle, kept as the
// curl_slist libcurl reads, and built again only when a transfer's headers
// differ from the handle's previous one's (the headers of one endpoint's
// polls are the same for every job).
//
// The list carries the daemon's User-Agent and "Accept-Encoding: gzip" as
// well, unless the request names them itself: libcurl formats its own
// User-Agent and Accept-Encoding lines twice per request, byte by byte
// through its printf, and a custom header once. CURLOPT_ACCEPT_ENCODING
// stays set on the handle, which is what makes libcurl decode a gzip body.
//
// Owned with its handle by the Poller; loop thread only.
#pragma once

#include <string>
#include <vector>

typedef void CURL;
struct curl_slist;

namespace jobtrack {

class HandleHeaders {
 public:
  static constexpr const char* kUserAgent = "User-Agent: jobtrackd/" JOBTRACK_VERSION;
  static constexpr const char* kAcceptEncoding = "Accept-Encoding: gzip";

  HandleHeaders() = default;
  ~HandleHeaders();
  HandleHeaders(const HandleHeaders&) = delete;
  HandleHeaders& operator=(const HandleHeaders&) = delete;
  HandleHeaders(HandleHeaders&& other) noexcept;
  HandleHeaders& operator=(HandleHeaders&& other) noexcept;

  // Sets `headers` ("Name: value" each) and the daemon's own on `easy`.
  // False when the list could not be built (no memory).
  bool apply(CURL* easy, const std::vector<std::string>& headers);

  // Whether the last apply() kept the previous list (for tests).
  bool reused() const { return reused_; }

 private:
  curl_slist* list_ = nullptr;
  std::vector<std::string> built_from_;
  bool reused_ = false;
};

}  // namespace jobtrack
