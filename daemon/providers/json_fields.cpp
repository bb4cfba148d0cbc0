#include "daemon/providers/json_fields.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "daemon/protocol/times.h"

namespace jobtrack {

namespace field_messages {
std::string wrong_type(std::string_view where, std::string_view key, std::string_view type,
                       std::string_view expected) {
  return fmt::format("field {}{}{} has type {}, expected {}", where, where.empty() ? "" : ".", key,
                     type, expected);
}
std::string out_of_range(std::string_view key) {
  return fmt::format("field {} is out of range", key);
}
std::string not_a_time(std::string_view key, std::string_view text) {
  return fmt::format("field {} is not an ISO 8601 time: \"{}\"", key, text);
}
}  // namespace field_messages

std::optional<std::int64_t> whole_number(double number) {
  if (std::isfinite(number) && std::floor(number) == number && std::fabs(number) < 9.0e15) {
    return static_cast<std::int64_t>(number);
  }
  return std::nullopt;
}

const nlohmann::json* FieldReader::find(std::string_view key) const {
  if (!object_.is_object()) return nullptr;
  auto it = object_.find(key);
  if (it == object_.end() || it->is_null()) return nullptr;
  return &*it;
}

void FieldReader::fail(std::string message) {
  if (error_.empty()) error_ = std::move(message);
}

void FieldReader::wrong_type(std::string_view key, std::string_view expected) {
  const nlohmann::json* value = find(key);
  fail(field_messages::wrong_type(where_, key, value ? value->type_name() : "null", expected));
}

std::optional<std::string> FieldReader::string(std::string_view key) {
  const nlohmann::json* value = find(key);
  if (!value) return std::nullopt;
  if (!value->is_string()) {
    wrong_type(key, "string");
    return std::nullopt;
  }
  return value->get<std::string>();
}

std::optional<std::int64_t> FieldReader::integer(std::string_view key) {
  const nlohmann::json* value = find(key);
  if (!value) return std::nullopt;
  if (value->is_number_integer()) {
    if (value->is_number_unsigned() &&
        value->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
      fail(field_messages::out_of_range(key));
      return std::nullopt;
    }
    return value->get<std::int64_t>();
  }
  if (value->is_number_float()) {
    if (auto whole = whole_number(value->get<double>())) return whole;
  }
  wrong_type(key, "integer");
  return std::nullopt;
}

std::optional<double> FieldReader::number(std::string_view key) {
  const nlohmann::json* value = find(key);
  if (!value) return std::nullopt;
  if (!value->is_number()) {
    wrong_type(key, "number");
    return std::nullopt;
  }
  double number = value->get<double>();
  if (!std::isfinite(number)) return std::nullopt;
  return number;
}

std::optional<bool> FieldReader::boolean(std::string_view key) {
  const nlohmann::json* value = find(key);
  if (!value) return std::nullopt;
  if (!value->is_boolean()) {
    wrong_type(key, "boolean");
    return std::nullopt;
  }
  return value->get<bool>();
}

std::optional<Millis> FieldReader::time(std::string_view key) {
  auto text = string(key);
  if (!text) return std::nullopt;
  auto parsed = protocol::parse_iso8601(*text);
  if (!parsed) fail(field_messages::not_a_time(key, *text));
  return parsed;
}

const nlohmann::json* FieldReader::object(std::string_view key) {
  const nlohmann::json* value = find(key);
  if (value && !value->is_object()) {
    wrong_type(key, "object");
    return nullptr;
  }
  return value;
}

const nlohmann::json* FieldReader::array(std::string_view key) {
  const nlohmann::json* value = find(key);
  if (value && !value->is_array()) {
    wrong_type(key, "array");
    return nullptr;
  }
  return value;
}

tl::expected<nlohmann::json, std::string> parse_json_object(std::string_view body) {
  nlohmann::json parsed = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
  if (parsed.is_discarded()) {
    return tl::make_unexpected(body.empty() ? std::string("empty body")
                                            : std::string("body is not valid JSON"));
  }
  if (!parsed.is_object()) {
    return tl::make_unexpected(
        fmt::format("body is a JSON {}, expected an object", parsed.type_name()));
  }
  return parsed;
}

std::optional<double> clamp_progress(std::optional<double> value) {
  if (!value || std::isnan(*value)) return std::nullopt;
  return std::clamp(*value, 0.0, 100.0);
}

}  // namespace jobtrack
