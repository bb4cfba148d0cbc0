#include "daemon/handle_headers.h"

#include <string_view>
#include <utility>

#include <curl/curl.h>
#include <strings.h>

namespace jobtrack {

namespace {

bool names(const std::vector<std::string>& headers, std::string_view name) {
  for (const auto& header : headers) {
    if (header.size() > name.size() && header[name.size()] == ':' &&
        strncasecmp(header.data(), name.data(), name.size()) == 0)
      return true;
  }
  return false;
}

}  // namespace

HandleHeaders::~HandleHeaders() {
  curl_slist_free_all(list_);
}

HandleHeaders::HandleHeaders(HandleHeaders&& other) noexcept
    : list_(std::exchange(other.list_, nullptr)),
      built_from_(std::move(other.built_from_)),
      reused_(other.reused_) {}

HandleHeaders& HandleHeaders::operator=(HandleHeaders&& other) noexcept {
  if (this != &other) {
    curl_slist_free_all(list_);
    list_ = std::exchange(other.list_, nullptr);
    built_from_ = std::move(other.built_from_);
    reused_ = other.reused_;
  }
  return *this;
}

bool HandleHeaders::apply(CURL* easy, const std::vector<std::string>& headers) {
  reused_ = list_ && headers == built_from_;
  if (!reused_) {
    curl_slist_free_all(list_);
    list_ = nullptr;
    built_from_.clear();
    curl_slist* list = nullptr;
    auto append = [&list](const char* header) {
      curl_slist* longer = curl_slist_append(list, header);
      if (!longer) return false;
      list = longer;
      return true;
    };
    bool built = true;
    for (const auto& header : headers) built = built && append(header.c_str());
    if (!names(headers, "User-Agent")) built = built && append(kUserAgent);
    if (!names(headers, "Accept-Encoding")) built = built && append(kAcceptEncoding);
    if (!built) {
      curl_slist_free_all(list);
      curl_easy_setopt(easy, CURLOPT_HTTPHEADER, nullptr);
      return false;
    }
    list_ = list;
    built_from_ = headers;
  }
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, list_);
  return true;
}

}  // namespace jobtrack
