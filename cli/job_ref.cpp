#include "cli/job_ref.h"

#include <charconv>
#include <cstdint>

#include <fmt/format.h>

namespace jobtrack::cli {

tl::expected<nlohmann::json, std::string> parse_job_ref(std::string_view text) {
  auto usage = [&](std::string_view why) {
    return tl::unexpected(
        fmt::format("'{}': {} (expected a local id or ENDPOINT:REMOTE_ID)", text, why));
  };
  if (text.empty()) return usage("empty");

  if (text.find_first_not_of("0123456789") == std::string_view::npos) {
    std::int64_t id = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (error != std::errc() || end != text.data() + text.size())
      return usage("the id is too large");
    return nlohmann::json{{"id", id}};
  }

  auto colon = text.find(':');
  if (colon == std::string_view::npos) return usage("not a number and has no ':'");
  auto endpoint = text.substr(0, colon);
  auto remote_id = text.substr(colon + 1);
  if (endpoint.empty()) return usage("the endpoint is empty");
  if (remote_id.empty()) return usage("the remote id is empty");
  return nlohmann::json{{"endpoint", endpoint}, {"remote_id", remote_id}};
}

}  // namespace jobtrack::cli
