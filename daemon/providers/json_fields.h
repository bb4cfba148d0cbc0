// Checked reading of fields from a remote API's JSON body.
//
// Remote bodies are hostile: every field may be missing, null or of the
// wrong type. FieldReader returns nullopt for missing/null fields and
// records the first wrong-typed field as an error, so a provider reads all
// it needs and then checks ok() once. Never throws.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "daemon/job.h"

namespace jobtrack {

class FieldReader {
 public:
  // `object` must outlive the reader; `where` prefixes error messages ("job").
  explicit FieldReader(const nlohmann::json& object, std::string where = {})
      : object_(object), where_(std::move(where)) {}

  std::optional<std::string> string(std::string_view key);
  std::optional<std::int64_t> integer(std::string_view key);  // accepts integral floats too
  std::optional<double> number(std::string_view key);
  std::optional<bool> boolean(std::string_view key);
  std::optional<Millis> time(std::string_view key);  // ISO 8601 string
  // A nested object or array (nullptr when absent or null; wrong type is an error).
  const nlohmann::json* object(std::string_view key);
  const nlohmann::json* array(std::string_view key);

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  void fail(std::string message);

 private:
  const nlohmann::json* find(std::string_view key) const;
  void wrong_type(std::string_view key, std::string_view expected);

  const nlohmann::json& object_;
  std::string where_;
  std::string error_;
};

// The wording FieldReader and FlatFieldReader share.
namespace field_messages {
std::string wrong_type(std::string_view where, std::string_view key, std::string_view type,
                       std::string_view expected);
std::string out_of_range(std::string_view key);
std::string not_a_time(std::string_view key, std::string_view text);
}  // namespace field_messages

// A floating-point number read as an integer: only a whole one within what
// a double holds exactly.
std::optional<std::int64_t> whole_number(double number);

// Parses a remote body as a JSON object; error text says what was wrong.
tl::expected<nlohmann::json, std::string> parse_json_object(std::string_view body);

// Progress clamped into 0..100; nullopt for NaN.
std::optional<double> clamp_progress(std::optional<double> value);

}  // namespace jobtrack
