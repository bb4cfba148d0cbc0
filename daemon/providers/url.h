// Building request URLs from untrusted remote ids.
//
// percent_encode_segment() escapes every byte outside RFC 3986's unreserved
// set, so no id ("../", "?", "#", "%2F", spaces, UTF-8) can change the
// request's path or query. Pure functions; any thread.
#pragma once

#include <string>
#include <string_view>

namespace jobtrack {

std::string percent_encode_segment(std::string_view text);

// base_url (no trailing '/') + "/" + segments joined by "/"; each segment is
// percent-encoded except the literal path pieces given in `literal`.
std::string join_url(std::string_view base_url, std::string_view path);

}  // namespace jobtrack
