#include "daemon/handle_url.h"

#include <utility>

#include <curl/curl.h>

namespace jobtrack {

namespace {

// RFC 3986 unreserved marks, sub-delims, and what else a path may hold.
constexpr std::string_view kPlainMarks = "-._~!$&'()*+,;=:@/";

bool is_plain(char c, bool in_query) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return kPlainMarks.find(c) != std::string_view::npos || (in_query && c == '?');
}

bool all_plain(std::string_view text, bool in_query) {
  for (char c : text) {
    if (!is_plain(c, in_query)) return false;
  }
  return true;
}

}  // namespace

std::optional<PlainUrl> split_plain_url(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return std::nullopt;
  const auto path_at = url.find_first_of("/?#", scheme_end + 3);
  if (path_at == std::string_view::npos || url[path_at] != '/' || path_at == scheme_end + 3)
    return std::nullopt;
  PlainUrl out;
  out.origin = url.substr(0, path_at);
  std::string_view rest = url.substr(path_at);
  const auto query_at = rest.find('?');
  out.path = rest.substr(0, query_at);
  if (query_at != std::string_view::npos) {
    out.query = rest.substr(query_at + 1);
    if (out.query.empty()) return std::nullopt;  // "?" alone: left to libcurl
  }
  // A dot segment ("/./", "/../") is resolved by libcurl's parser; any "/."
  // is left to it, to be sure.
  if (out.path.find("/.") != std::string_view::npos) return std::nullopt;
  if (!all_plain(out.path, false) || !all_plain(out.query, true)) return std::nullopt;
  return out;
}

HandleUrl::~HandleUrl() {
  if (parsed_) curl_url_cleanup(parsed_);
}

HandleUrl::HandleUrl(HandleUrl&& other) noexcept
    : parsed_(std::exchange(other.parsed_, nullptr)),
      origin_(std::move(other.origin_)),
      part_(std::move(other.part_)),
      reused_origin_(other.reused_origin_) {
  other.origin_.clear();
}

HandleUrl& HandleUrl::operator=(HandleUrl&& other) noexcept {
  if (this != &other) {
    if (parsed_) curl_url_cleanup(parsed_);
    parsed_ = std::exchange(other.parsed_, nullptr);
    origin_ = std::move(other.origin_);
    other.origin_.clear();
    part_ = std::move(other.part_);
    reused_origin_ = other.reused_origin_;
  }
  return *this;
}

void HandleUrl::apply(CURL* easy, const std::string& url) {
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  reused_origin_ = false;
  const auto plain = split_plain_url(url);
  if (plain && !parsed_) parsed_ = curl_url();
  bool parsed = false;
  if (plain && parsed_) {
    if (!origin_.empty() && plain->origin == origin_) {
      part_.assign(plain->path);
      parsed = curl_url_set(parsed_, CURLUPART_PATH, part_.c_str(), 0) == CURLUE_OK;
      if (parsed) {
        part_.assign(plain->query);
        parsed = curl_url_set(parsed_, CURLUPART_QUERY,
                              plain->query.empty() ? nullptr : part_.c_str(), 0) == CURLUE_OK;
      }
      reused_origin_ = parsed;
    } else {
      // The flag libcurl's own parse uses: the scheme is checked against
      // CURLOPT_PROTOCOLS_STR when the transfer starts, with its own error.
      parsed =
          curl_url_set(parsed_, CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK;
    }
  }
  if (parsed) {
    origin_.assign(plain->origin);
  } else {
    origin_.clear();  // parsed_ may hold half a URL now
  }
  curl_easy_setopt(easy, CURLOPT_CURLU, parsed ? parsed_ : nullptr);
}

}  // namespace jobtrack
