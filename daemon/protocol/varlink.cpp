#include "daemon/protocol/varlink.h"

#include <array>
#include <cstring>
#include <limits>
#include <utility>

#include <fmt/format.h>

namespace jobtrack::protocol {

// Defined in the interface_text.cpp that the build generates.
extern const std::array<EmbeddedFile, 1> interface_files;

namespace {

using nlohmann::json;

VarlinkError wrong_type(std::string_view name, std::string_view expected) {
  return invalid_parameter(name, fmt::format("expected {}", expected));
}

// The parameter `name`, or nullptr when absent or null.
const json* lookup(const json& parameters, std::string_view name) {
  if (!parameters.is_object()) return nullptr;
  auto it = parameters.find(name);
  if (it == parameters.end() || it->is_null()) return nullptr;
  return &*it;
}

}  // namespace

VarlinkError invalid_parameter(std::string_view parameter, std::string_view reason) {
  VarlinkError error{std::string(errors::kInvalidParameter), json::object()};
  error.parameters["parameter"] = std::string(parameter);
  if (!reason.empty()) error.parameters["reason"] = std::string(reason);
  return error;
}

void MessageReader::feed(const char* data, std::size_t size) {
  if (discarding_) {
    const void* nul = std::memchr(data, '\0', size);
    if (nul == nullptr) return;
    discarding_ = false;
    auto skipped = static_cast<std::size_t>(static_cast<const char*>(nul) - data) + 1;
    data += skipped;
    size -= skipped;
  }
  compact();
  buffer_.append(data, size);
}

void MessageReader::compact() {
  if (consumed_ == 0) return;
  if (consumed_ == buffer_.size()) {
    buffer_.clear();
  } else if (consumed_ >= buffer_.size() / 2) {
    buffer_.erase(0, consumed_);
  } else {
    return;
  }
  scanned_ -= consumed_;
  consumed_ = 0;
}

MessageReader::Status MessageReader::next(std::string& out) {
  std::size_t nul = buffer_.find('\0', scanned_);
  if (nul == std::string::npos) {
    scanned_ = buffer_.size();
    if (buffered() <= max_) return Status::need_more;
    // The limit is passed before the end arrived: forget what we hold and
    // drop the rest in feed() as it comes.
    buffer_.clear();
    consumed_ = 0;
    scanned_ = 0;
    discarding_ = true;
    return Status::too_large;
  }
  std::size_t length = nul - consumed_;
  std::size_t start = consumed_;
  consumed_ = nul + 1;
  scanned_ = consumed_;
  if (length > max_) return Status::too_large;
  out.assign(buffer_, start, length);
  return Status::message;
}

bool MessageReader::ready() const {
  return buffer_.find('\0', scanned_) != std::string::npos || buffered() > max_;
}

std::string encode(const json& message) {
  std::string text = message.dump(-1, ' ', false, json::error_handler_t::replace);
  text.push_back('\0');
  return text;
}

tl::expected<Call, VarlinkError> parse_call(std::string_view message) {
  json parsed;
  try {
    parsed = json::parse(message);
  } catch (const json::parse_error& error) {
    return tl::unexpected(
        invalid_parameter("message", fmt::format("not valid JSON (at byte {})", error.byte)));
  } catch (const json::exception&) {
    // e.g. out_of_range.406: a number too large for a double ("1E400").
    return tl::unexpected(invalid_parameter("message", "not valid JSON (a number out of range)"));
  }
  if (!parsed.is_object()) {
    return tl::unexpected(invalid_parameter("message", "expected a JSON object"));
  }

  Call call;
  auto method = parsed.find("method");
  if (method == parsed.end() || !method->is_string()) {
    return tl::unexpected(wrong_type("method", "a string naming the method"));
  }
  call.method = method->get<std::string>();

  if (const json* parameters = lookup(parsed, "parameters")) {
    if (!parameters->is_object()) return tl::unexpected(wrong_type("parameters", "an object"));
    call.parameters = std::move(parsed["parameters"]);
  }
  for (auto [name, flag] : {std::pair{"more", &call.more}, std::pair{"oneway", &call.oneway}}) {
    if (const json* value = lookup(parsed, name)) {
      if (!value->is_boolean()) return tl::unexpected(wrong_type(name, "a boolean"));
      *flag = value->get<bool>();
    }
  }
  return call;
}

tl::expected<std::optional<std::string>, VarlinkError> Params::optional_string(
    std::string_view name) {
  known_.emplace_back(name);
  const json* value = lookup(parameters_, name);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) return tl::unexpected(wrong_type(name, "a string"));
  return value->get<std::string>();
}

tl::expected<std::string, VarlinkError> Params::required_string(std::string_view name) {
  auto value = optional_string(name);
  if (!value) return tl::unexpected(std::move(value.error()));
  if (!*value) return tl::unexpected(invalid_parameter(name, "missing"));
  return std::move(**value);
}

tl::expected<std::optional<std::int64_t>, VarlinkError> Params::optional_int(
    std::string_view name) {
  known_.emplace_back(name);
  const json* value = lookup(parameters_, name);
  if (value == nullptr) return std::nullopt;
  if (value->is_number_unsigned()) {
    auto number = value->get<std::uint64_t>();
    if (number > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return tl::unexpected(invalid_parameter(name, "out of range"));
    }
    return static_cast<std::int64_t>(number);
  }
  if (value->is_number_integer()) return value->get<std::int64_t>();
  return tl::unexpected(wrong_type(name, "an integer"));
}

tl::expected<std::optional<bool>, VarlinkError> Params::optional_bool(std::string_view name) {
  known_.emplace_back(name);
  const json* value = lookup(parameters_, name);
  if (value == nullptr) return std::nullopt;
  if (!value->is_boolean()) return tl::unexpected(wrong_type(name, "a boolean"));
  return value->get<bool>();
}

tl::expected<std::optional<std::vector<std::string>>, VarlinkError> Params::optional_string_list(
    std::string_view name) {
  known_.emplace_back(name);
  const json* value = lookup(parameters_, name);
  if (value == nullptr) return std::nullopt;
  if (!value->is_array()) return tl::unexpected(wrong_type(name, "an array of strings"));
  std::vector<std::string> list;
  list.reserve(value->size());
  for (const json& item : *value) {
    if (!item.is_string()) return tl::unexpected(wrong_type(name, "an array of strings"));
    list.push_back(item.get<std::string>());
  }
  return list;
}

tl::expected<void, VarlinkError> Params::no_unknown() {
  if (!parameters_.is_object()) return {};
  for (const auto& [key, value] : parameters_.items()) {
    bool known = false;
    for (const std::string& name : known_) known = known || name == key;
    if (!known) return tl::unexpected(invalid_parameter(key, "unknown parameter"));
  }
  return {};
}

json reply(json parameters, bool continues) {
  if (parameters.is_null()) parameters = json::object();
  json message = {{"parameters", std::move(parameters)}};
  if (continues) message["continues"] = true;
  return message;
}

json error_reply(const VarlinkError& error) {
  return {{"error", error.name}, {"parameters", error.parameters}};
}

std::string_view interface_description() {
  return interface_files[0].content;
}

}  // namespace jobtrack::protocol
