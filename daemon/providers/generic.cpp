// Any JSON status API, described by the endpoint's settings alone:
//   url_template        "{base_url}/v1/exports/{id}"; {id} is percent-encoded,
//                       {base_url} and {NAME} (any other string setting of the
//                       endpoint) are put in verbatim
//   auth_header, auth_prefix   token header ["Authorization"], prefix [""]
//   status_pointer      RFC 6901 pointer to the status (string, number or bool)
//   progress_pointer, result_url_pointer, expires_pointer, error_pointer,
//   created_pointer, finished_pointer   optional; times are ISO 8601 strings
//                       or epoch seconds
//   states              { succeeded = ["done"], failed = "error", ... }
// A status listed under no state leaves the state unset (a poll error).
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "daemon/protocol/times.h"
#include "daemon/providers/auth_header.h"
#include "daemon/providers/factories.h"
#include "daemon/providers/json_fields.h"
#include "daemon/providers/url.h"

namespace jobtrack::providers {
namespace {

// A parsed RFC 6901 pointer. Lookups never throw: a token that is not a
// valid index of an array simply finds nothing.
class Pointer {
 public:
  static tl::expected<Pointer, std::string> parse(std::string_view text) {
    Pointer out;
    out.text_ = std::string(text);
    if (text.empty()) return out;  // the whole document
    if (text.front() != '/')
      return tl::make_unexpected(std::string("a JSON pointer starts with '/'"));
    text.remove_prefix(1);
    while (true) {
      auto slash = text.find('/');
      std::string_view raw = text.substr(0, slash);
      std::string token;
      for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] != '~') {
          token.push_back(raw[i]);
        } else if (i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
          token.push_back(raw[++i] == '0' ? '~' : '/');
        } else {
          return tl::make_unexpected(
              std::string("'~' must be followed by 0 or 1 in a JSON pointer"));
        }
      }
      out.tokens_.push_back(std::move(token));
      if (slash == std::string_view::npos) break;
      text.remove_prefix(slash + 1);
    }
    return out;
  }

  // The value at the pointer; nullptr when absent or null.
  const nlohmann::json* find(const nlohmann::json& document) const {
    const nlohmann::json* at = &document;
    for (const std::string& token : tokens_) {
      if (at->is_object()) {
        auto it = at->find(token);
        if (it == at->end()) return nullptr;
        at = &*it;
      } else if (at->is_array()) {
        std::size_t index = 0;
        const char* end = token.data() + token.size();
        auto [stop, error] = std::from_chars(token.data(), end, index);
        bool leading_zero = token.size() > 1 && token.front() == '0';
        if (token.empty() || error != std::errc() || stop != end || leading_zero ||
            index >= at->size()) {
          return nullptr;
        }
        at = &(*at)[index];
      } else {
        return nullptr;
      }
    }
    return at->is_null() ? nullptr : at;
  }

  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::vector<std::string> tokens_;
};

// Epoch seconds up to the year 9999, so the milliseconds always fit.
constexpr double kMaxEpochSeconds = 253402300799.0;

struct Pointers {
  Pointer status;
  std::optional<Pointer> progress, result_url, expires, error, created, finished;
};

// The URL template with everything but {id} already filled in.
struct Template {
  std::vector<std::string> literals;  // literals[i] comes before the i-th {id}; one more at the end
};

class Generic final : public Provider {
 public:
  Generic(Template url, AuthHeader auth, Pointers pointers,
          std::map<std::string, State, std::less<>> states)
      : url_(std::move(url)),
        auth_(std::move(auth)),
        pointers_(std::move(pointers)),
        states_(std::move(states)) {}

  HttpRequest request(std::string_view remote_id, std::string_view token) const override {
    HttpRequest out;
    std::string id = percent_encode_segment(remote_id);
    for (std::size_t i = 0; i < url_.literals.size(); ++i) {
      if (i > 0) out.url += id;
      out.url += url_.literals[i];
    }
    out.headers.push_back("Accept: application/json");
    if (auto header = auth_.line(token)) out.headers.push_back(std::move(*header));
    return out;
  }

  tl::expected<Observation, std::string> parse_status(std::string_view body) const override {
    // Any JSON value: a pointer "" may name a body that is just a string.
    nlohmann::json document = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
    if (document.is_discarded()) {
      return tl::make_unexpected(body.empty() ? std::string("empty body")
                                              : std::string("body is not valid JSON"));
    }
    Observation out;
    const nlohmann::json* status = pointers_.status.find(document);
    if (!status)
      return tl::make_unexpected(fmt::format("no status at {}", pointers_.status.text()));
    if (status->is_string()) {
      out.remote_status = status->get<std::string>();
    } else if (status->is_number() || status->is_boolean()) {
      out.remote_status = status->dump();
    } else {
      return wrong_type(pointers_.status, *status, "a string");
    }

    if (const nlohmann::json* value = find(pointers_.progress, document)) {
      if (!value->is_number()) return wrong_type(*pointers_.progress, *value, "a number");
      out.progress = clamp_progress(value->get<double>());
    }
    if (auto text = read_string(pointers_.result_url, document); !text) {
      return tl::make_unexpected(text.error());
    } else {
      out.result_url = std::move(*text);
    }
    if (auto text = read_string(pointers_.error, document); !text) {
      return tl::make_unexpected(text.error());
    } else {
      out.error_message = std::move(*text);
    }
    for (auto [pointer, target] : {std::pair{&pointers_.expires, &out.expires_at},
                                   std::pair{&pointers_.created, &out.remote_created_at},
                                   std::pair{&pointers_.finished, &out.finished_at}}) {
      auto time = read_time(*pointer, document);
      if (!time) return tl::make_unexpected(time.error());
      *target = *time;
    }

    if (auto it = states_.find(out.remote_status); it != states_.end()) out.state = it->second;
    if (out.state == State::succeeded && !out.progress) out.progress = 100.0;
    return out;
  }

 private:
  static const nlohmann::json* find(const std::optional<Pointer>& pointer,
                                    const nlohmann::json& document) {
    return pointer ? pointer->find(document) : nullptr;
  }

  static tl::unexpected<std::string> wrong_type(const Pointer& pointer, const nlohmann::json& value,
                                                std::string_view expected) {
    return tl::make_unexpected(fmt::format("value at {} is a {}, expected {}", pointer.text(),
                                           value.type_name(), expected));
  }

  static tl::expected<std::optional<std::string>, std::string> read_string(
      const std::optional<Pointer>& pointer, const nlohmann::json& document) {
    const nlohmann::json* value = find(pointer, document);
    if (!value) return std::optional<std::string>();
    if (!value->is_string()) return wrong_type(*pointer, *value, "a string");
    return value->get<std::string>();
  }

  static tl::expected<std::optional<Millis>, std::string> read_time(
      const std::optional<Pointer>& pointer, const nlohmann::json& document) {
    const nlohmann::json* value = find(pointer, document);
    if (!value) return std::optional<Millis>();
    if (value->is_string()) {
      if (auto parsed = protocol::parse_iso8601(value->get_ref<const std::string&>()))
        return parsed;
      return tl::make_unexpected(
          fmt::format("value at {} is not an ISO 8601 time", pointer->text()));
    }
    if (value->is_number()) {
      double seconds = value->get<double>();
      if (!std::isfinite(seconds) || std::fabs(seconds) > kMaxEpochSeconds) {
        return tl::make_unexpected(
            fmt::format("value at {} is out of range for a time", pointer->text()));
      }
      return std::optional<Millis>(static_cast<Millis>(std::llround(seconds * 1000.0)));
    }
    return wrong_type(*pointer, *value, "an ISO 8601 string or epoch seconds");
  }

  Template url_;
  AuthHeader auth_;
  Pointers pointers_;
  std::map<std::string, State, std::less<>> states_;
};

// ---- Reading the settings ----

constexpr std::array<std::string_view, 11> kKnown = {
    "url_template",     "auth_header",        "auth_prefix",     "status_pointer",
    "progress_pointer", "result_url_pointer", "expires_pointer", "error_pointer",
    "created_pointer",  "finished_pointer",   "states"};

tl::unexpected<ProviderError> error(std::string_view key, std::string message) {
  return tl::make_unexpected(ProviderError{std::string(key), std::move(message)});
}

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Splits the template at {id}, filling in every other {NAME}. Each extra
// setting must be used by it, so a misspelt key does not go unnoticed.
tl::expected<Template, ProviderError> read_template(const EndpointConfig& endpoint) {
  auto text = required_setting(endpoint, "url_template");
  if (!text) return tl::make_unexpected(text.error());
  std::vector<std::string> used;
  Template out;
  out.literals.emplace_back();
  std::string_view rest = *text;
  while (!rest.empty()) {
    std::size_t close = rest.front() == '{' ? rest.find('}') : std::string_view::npos;
    std::string_view name =
        close == std::string_view::npos ? std::string_view() : rest.substr(1, close - 1);
    if (name.empty() || !std::all_of(name.begin(), name.end(), name_char)) {
      out.literals.back().push_back(rest.front());
      rest.remove_prefix(1);
      continue;
    }
    rest.remove_prefix(close + 1);
    if (name == "id") {
      out.literals.emplace_back();
    } else if (name == "base_url") {
      out.literals.back() += endpoint.base_url;
    } else if (auto it = endpoint.settings.find(name);
               it != endpoint.settings.end() && it->is_string() &&
               std::find(kKnown.begin(), kKnown.end(), name) == kKnown.end()) {
      out.literals.back() += it->get<std::string>();
      used.emplace_back(name);
    } else {
      return error(
          "url_template",
          fmt::format("url_template uses {{{}}}, which is not a string setting of the endpoint",
                      name));
    }
  }
  if (out.literals.size() < 2) return error("url_template", "url_template must contain {id}");
  std::string_view start = out.literals.front();
  if (!start.starts_with("http://") && !start.starts_with("https://")) {
    return error("url_template", "url_template must give an http:// or https:// URL");
  }
  for (const auto& [key, value] : endpoint.settings.items()) {
    if (std::find(kKnown.begin(), kKnown.end(), key) != kKnown.end()) continue;
    if (std::find(used.begin(), used.end(), key) == used.end()) {
      return error(
          key,
          fmt::format("unknown setting {} for provider \"generic\" (nor a {{{}}} of url_template)",
                      key, key));
    }
  }
  return out;
}

tl::expected<std::optional<Pointer>, ProviderError> read_pointer(const EndpointConfig& endpoint,
                                                                 std::string_view key) {
  auto text = optional_setting(endpoint, key);
  if (!text) return tl::make_unexpected(text.error());
  if (!*text) return std::optional<Pointer>();
  auto pointer = Pointer::parse(**text);
  if (!pointer) return error(key, fmt::format("{} \"{}\": {}", key, **text, pointer.error()));
  return std::optional<Pointer>(std::move(*pointer));
}

tl::expected<Pointers, ProviderError> read_pointers(const EndpointConfig& endpoint) {
  Pointers out;
  for (auto [key, target] :
       {std::pair{"progress_pointer", &out.progress},
        std::pair{"result_url_pointer", &out.result_url},
        std::pair{"expires_pointer", &out.expires}, std::pair{"error_pointer", &out.error},
        std::pair{"created_pointer", &out.created}, std::pair{"finished_pointer", &out.finished}}) {
    auto pointer = read_pointer(endpoint, key);
    if (!pointer) return tl::make_unexpected(pointer.error());
    *target = std::move(*pointer);
  }
  // "" is a valid pointer (the whole body), so only absence is refused.
  auto status = read_pointer(endpoint, "status_pointer");
  if (!status) return tl::make_unexpected(status.error());
  if (!*status) return error("", "provider \"generic\" needs the setting status_pointer");
  out.status = std::move(**status);
  return out;
}

// states: { STATE = ["remote", ...] or "remote" }, each remote status once.
tl::expected<std::map<std::string, State, std::less<>>, ProviderError> read_states(
    const EndpointConfig& endpoint) {
  auto table = endpoint.settings.find("states");
  if (table == endpoint.settings.end()) {
    return error("",
                 "provider \"generic\" needs the setting states (a table such as states = { "
                 "succeeded = [\"done\"] })");
  }
  if (!table->is_object() || table->empty()) {
    return error("states",
                 "states must be a table mapping jobtrack's states to the API's status strings");
  }
  std::map<std::string, State, std::less<>> out;
  std::map<std::string, std::string, std::less<>> listed_under;
  for (const auto& [name, value] : table->items()) {
    std::string key = fmt::format("states.{}", name);
    auto state = parse_state(name);
    if (!state || *state == State::not_found || *state == State::timed_out) {
      return error(key,
                   fmt::format("unknown state {} (use queued, running, succeeded, partial, failed, "
                               "cancelled or expired)",
                               name));
    }
    std::vector<std::string> remote;
    if (value.is_string()) {
      remote.push_back(value.get<std::string>());
    } else if (value.is_array() && std::all_of(value.begin(), value.end(),
                                               [](const auto& v) { return v.is_string(); })) {
      for (const auto& item : value) remote.push_back(item.get<std::string>());
    } else {
      return error(key, fmt::format("{} must be a string or an array of strings", key));
    }
    for (std::string& status : remote) {
      auto [it, added] = listed_under.emplace(status, name);
      if (!added && it->second != name) {
        return error(key, fmt::format("status \"{}\" is listed under both {} and {}", status,
                                      it->second, name));
      }
      out.emplace(std::move(status), *state);
    }
  }
  return out;
}

}  // namespace

Made make_generic(const EndpointConfig& endpoint) {
  auto url = read_template(endpoint);
  if (!url) return tl::make_unexpected(url.error());
  auto auth = AuthHeader::from(endpoint, "Authorization", "");
  if (!auth) return tl::make_unexpected(auth.error());
  auto pointers = read_pointers(endpoint);
  if (!pointers) return tl::make_unexpected(pointers.error());
  auto states = read_states(endpoint);
  if (!states) return tl::make_unexpected(states.error());
  return std::make_unique<Generic>(std::move(*url), std::move(*auth), std::move(*pointers),
                                   std::move(*states));
}

}  // namespace jobtrack::providers
