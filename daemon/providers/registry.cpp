#include <algorithm>

#include <fmt/format.h>

#include "daemon/providers/factories.h"
#include "daemon/providers/json_fields.h"

namespace jobtrack {
namespace {

struct Entry {
  std::string_view name;
  providers::Made (*make)(const EndpointConfig&);
};

constexpr Entry kProviders[] = {
    {"prism", providers::make_prism},
    {"ttd-standard", providers::make_ttd_standard},
    {"ttd-graphql", providers::make_ttd_graphql},
    {"ogc", providers::make_ogc},
    {"asana", providers::make_asana},
    {"generic", providers::make_generic},
};

}  // namespace

const std::vector<std::string_view>& provider_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const auto& entry : kProviders) out.push_back(entry.name);
    return out;
  }();
  return names;
}

tl::expected<std::unique_ptr<Provider>, ProviderError> make_provider(
    const EndpointConfig& endpoint) {
  for (const auto& entry : kProviders) {
    if (entry.name == endpoint.provider) return entry.make(endpoint);
  }
  return tl::make_unexpected(
      ProviderError{"provider", fmt::format("unknown provider \"{}\" (known: {})",
                                            endpoint.provider, fmt::join(provider_names(), ", "))});
}

tl::expected<void, std::string> Provider::check_remote_id(std::string_view remote_id) const {
  if (remote_id.empty()) return tl::make_unexpected(std::string("remote id is empty"));
  if (remote_id.size() > 1024)
    return tl::make_unexpected(std::string("remote id is longer than 1024 bytes"));
  for (char c : remote_id) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return tl::make_unexpected(std::string("remote id contains control characters"));
    }
  }
  return {};
}

bool Provider::is_no_such_job(const HttpResponse&) const {
  return true;
}

std::string Provider::error_message(std::string_view body) const {
  auto parsed = parse_json_object(body);
  if (!parsed) return {};
  const nlohmann::json& object = *parsed;
  auto text_of = [](const nlohmann::json& value) -> std::string {
    return value.is_string() ? value.get<std::string>() : std::string();
  };
  // RFC 7807 problem details (Trade Desk, OGC).
  if (auto it = object.find("detail"); it != object.end() && it->is_string()) {
    std::string title = object.contains("title") ? text_of(object["title"]) : std::string();
    std::string detail = it->get<std::string>();
    return title.empty() || title == detail ? detail : title + ": " + detail;
  }
  if (auto it = object.find("title"); it != object.end() && it->is_string())
    return it->get<std::string>();
  // Asana: {"errors": [{"message": ...}]}.
  if (auto it = object.find("errors"); it != object.end()) {
    if (it->is_array() && !it->empty() && (*it)[0].is_object())
      return text_of((*it)[0].value("message", nlohmann::json()));
    if (it->is_string()) return it->get<std::string>();
  }
  // Prism: {"error": {"code", "message"}} or a plain message.
  if (auto it = object.find("error"); it != object.end()) {
    if (it->is_object()) return text_of(it->value("message", nlohmann::json()));
    if (it->is_string()) return it->get<std::string>();
  }
  if (auto it = object.find("message"); it != object.end() && it->is_string())
    return it->get<std::string>();
  return {};
}

namespace providers {

tl::expected<std::optional<std::string>, ProviderError> optional_setting(
    const EndpointConfig& endpoint, std::string_view key) {
  auto it = endpoint.settings.find(key);
  if (it == endpoint.settings.end()) return std::optional<std::string>();
  if (!it->is_string()) {
    return tl::make_unexpected(
        ProviderError{std::string(key), fmt::format("{} must be a string", key)});
  }
  return std::optional<std::string>(it->get<std::string>());
}

tl::expected<std::string, ProviderError> required_setting(const EndpointConfig& endpoint,
                                                          std::string_view key) {
  auto value = optional_setting(endpoint, key);
  if (!value) return tl::make_unexpected(value.error());
  if (!*value || (*value)->empty()) {
    return tl::make_unexpected(ProviderError{
        "", fmt::format("provider \"{}\" needs the setting {}", endpoint.provider, key)});
  }
  return **value;
}

tl::expected<void, ProviderError> only_settings(const EndpointConfig& endpoint,
                                                std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : endpoint.settings.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return tl::make_unexpected(ProviderError{
          key, fmt::format("unknown setting {} for provider \"{}\"", key, endpoint.provider)});
    }
  }
  return {};
}

}  // namespace providers
}  // namespace jobtrack
