// FlatJson: a small JSON object (a routine status body) parsed by simdjson
// into one flat list of fields, and FlatFieldReader, FieldReader's checked
// reads over it.
//
// Why: a status poll's body is a few hundred bytes, read for a handful of
// fields. Building nlohmann's DOM of it (a std::map and a string per field)
// was the largest part of a poll's own work in the poll benchmark; simdjson
// parses it into a reused buffer without allocating, and the fields are
// then copied out once.
//
// Only what is needed is kept: scalars, and nested objects as fields of
// their own; an array is recorded as present, never read. parse_flat_object
// says nullopt (and the caller uses nlohmann's DOM, which words every
// error) for anything it does not take: a body over kMaxBytes, invalid
// JSON, a body that is not an object, an integer beyond 64 bits, nesting
// deeper than kMaxDepth. So a body either reads the same as with
// FieldReader or is read by FieldReader. The one leniency: simdjson accepts
// raw control characters inside strings, which nlohmann refuses.
//
// A FlatJson owns its strings (no reference into the parser or the body).
// The parser is one per thread, reused; any thread may call.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/job.h"

namespace jobtrack {

struct FlatJson {
  static constexpr std::size_t kMaxBytes = 64 * 1024;  // keeps the reused parser small
  static constexpr int kMaxDepth = 8;

  enum class Kind : std::uint8_t {
    null,
    boolean,
    integer,
    big_unsigned,
    floating,
    string,
    object,
    array
  };
  // Offsets, not views: a moved std::string may move its characters.
  struct Slice {
    std::uint32_t offset = 0, size = 0;
  };
  struct Field {
    Slice key;
    Kind kind = Kind::null;
    std::int64_t integer = 0;  // integer
    double floating = 0;       // floating
    Slice string;              // string
    std::uint32_t object = 0;  // object: index into `objects`
  };
  struct Object {
    std::uint32_t begin = 0, end = 0;  // its fields, in body order
  };

  std::vector<Field> fields;
  std::vector<Object> objects;  // objects[0] is the body
  std::string text;             // every key and string value, back to back

  std::string_view view(Slice slice) const { return {text.data() + slice.offset, slice.size}; }
};

std::optional<FlatJson> parse_flat_object(std::string_view body);

// The reads of FieldReader (json_fields.h), with the same results and the
// same error messages, over one object of a FlatJson (which must outlive it).
class FlatFieldReader {
 public:
  explicit FlatFieldReader(const FlatJson& json, std::uint32_t object = 0, std::string where = {})
      : json_(json), object_(json.objects[object]), where_(std::move(where)) {}

  std::optional<std::string> string(std::string_view key);
  std::optional<std::int64_t> integer(std::string_view key);
  std::optional<Millis> time(std::string_view key);
  // A reader of the nested object (nullopt when absent or null; another type
  // is an error). Its messages name the field as `where.key`.
  std::optional<FlatFieldReader> object(std::string_view key);
  // Whether the field is an array (absent or null: false; another type is an error).
  bool array(std::string_view key);

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  void fail(std::string message);

 private:
  // The last field of that name, as nlohmann keeps it; nullptr when absent or null.
  const FlatJson::Field* find(std::string_view key) const;
  void wrong_type(std::string_view key, const FlatJson::Field& field, std::string_view expected);

  const FlatJson& json_;
  FlatJson::Object object_;
  std::string where_;
  std::string error_;
};

}  // namespace jobtrack
