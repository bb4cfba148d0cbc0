#include "daemon/providers/flat_json.h"

#include <simdjson.h>

#include "daemon/protocol/times.h"
#include "daemon/providers/json_fields.h"

namespace jobtrack {
namespace {

using simdjson::dom::element_type;

class Flattener {
 public:
  explicit Flattener(FlatJson& out) : out_(out) {}

  // Appends the object's fields as one range, then its nested objects' own.
  bool add(simdjson::dom::object object, std::uint32_t index, int depth) {
    if (depth > FlatJson::kMaxDepth) return false;
    const auto begin = static_cast<std::uint32_t>(out_.fields.size());
    for (simdjson::dom::key_value_pair member : object) {
      FlatJson::Field field;
      field.key = keep(member.key);
      if (!scalar(member.value, field)) return false;
      out_.fields.push_back(field);
    }
    const auto end = static_cast<std::uint32_t>(out_.fields.size());
    out_.objects[index] = {begin, end};
    std::uint32_t i = begin;
    for (simdjson::dom::key_value_pair member : object) {
      if (out_.fields[i].kind == FlatJson::Kind::object) {
        const auto child = static_cast<std::uint32_t>(out_.objects.size());
        out_.objects.emplace_back();
        out_.fields[i].object = child;
        simdjson::dom::object nested;
        if (member.value.get_object().get(nested) || !add(nested, child, depth + 1)) return false;
      }
      ++i;
    }
    return true;
  }

 private:
  // Never reallocates: `text` was reserved at the body's size, and no key
  // or string is longer unescaped than it was in the body.
  FlatJson::Slice keep(std::string_view text) {
    FlatJson::Slice slice{static_cast<std::uint32_t>(out_.text.size()),
                          static_cast<std::uint32_t>(text.size())};
    out_.text.append(text);
    return slice;
  }

  bool scalar(simdjson::dom::element value, FlatJson::Field& field) {
    switch (value.type()) {
      case element_type::NULL_VALUE:
        field.kind = FlatJson::Kind::null;
        return true;
      case element_type::BOOL:  // only its type is ever read
        field.kind = FlatJson::Kind::boolean;
        return true;
      case element_type::INT64:
        field.kind = FlatJson::Kind::integer;
        return !value.get_int64().get(field.integer);
      case element_type::UINT64:  // only those above INT64_MAX
        field.kind = FlatJson::Kind::big_unsigned;
        return true;
      case element_type::DOUBLE:
        field.kind = FlatJson::Kind::floating;
        return !value.get_double().get(field.floating);
      case element_type::STRING: {
        field.kind = FlatJson::Kind::string;
        std::string_view text;
        if (value.get_string().get(text)) return false;
        field.string = keep(text);
        return true;
      }
      case element_type::OBJECT:
        field.kind = FlatJson::Kind::object;  // its fields follow (add)
        return true;
      case element_type::ARRAY:
        field.kind = FlatJson::Kind::array;
        return true;
    }
    return false;
  }

  FlatJson& out_;
};

std::string_view type_name(FlatJson::Kind kind) {
  switch (kind) {
    case FlatJson::Kind::null:
      return "null";
    case FlatJson::Kind::boolean:
      return "boolean";
    case FlatJson::Kind::integer:
    case FlatJson::Kind::big_unsigned:
    case FlatJson::Kind::floating:
      return "number";
    case FlatJson::Kind::string:
      return "string";
    case FlatJson::Kind::object:
      return "object";
    case FlatJson::Kind::array:
      return "array";
  }
  return "null";
}

}  // namespace

std::optional<FlatJson> parse_flat_object(std::string_view body) {
  // An empty view may have no data pointer at all, which the parser would copy from.
  if (body.empty() || body.size() > FlatJson::kMaxBytes) return std::nullopt;
  thread_local simdjson::dom::parser parser(FlatJson::kMaxBytes);
  simdjson::dom::element document;
  if (parser.parse(body.data(), body.size()).get(document)) return std::nullopt;
  simdjson::dom::object object;
  if (document.get_object().get(object)) return std::nullopt;
  FlatJson out;
  out.text.reserve(body.size());
  out.fields.reserve(16);
  out.objects.emplace_back();
  if (!Flattener(out).add(object, 0, 1)) return std::nullopt;
  return out;
}

const FlatJson::Field* FlatFieldReader::find(std::string_view key) const {
  const FlatJson::Field* found = nullptr;
  for (std::uint32_t i = object_.begin; i < object_.end; ++i) {
    if (json_.view(json_.fields[i].key) == key) found = &json_.fields[i];
  }
  if (found && found->kind == FlatJson::Kind::null) return nullptr;
  return found;
}

void FlatFieldReader::fail(std::string message) {
  if (error_.empty()) error_ = std::move(message);
}

void FlatFieldReader::wrong_type(std::string_view key, const FlatJson::Field& field,
                                 std::string_view expected) {
  fail(field_messages::wrong_type(where_, key, type_name(field.kind), expected));
}

std::optional<std::string> FlatFieldReader::string(std::string_view key) {
  const FlatJson::Field* field = find(key);
  if (!field) return std::nullopt;
  if (field->kind != FlatJson::Kind::string) {
    wrong_type(key, *field, "string");
    return std::nullopt;
  }
  return std::string(json_.view(field->string));
}

std::optional<std::int64_t> FlatFieldReader::integer(std::string_view key) {
  const FlatJson::Field* field = find(key);
  if (!field) return std::nullopt;
  switch (field->kind) {
    case FlatJson::Kind::integer:
      return field->integer;
    case FlatJson::Kind::big_unsigned:
      fail(field_messages::out_of_range(key));
      return std::nullopt;
    case FlatJson::Kind::floating:
      if (auto whole = whole_number(field->floating)) return whole;
      break;
    default:
      break;
  }
  wrong_type(key, *field, "integer");
  return std::nullopt;
}

std::optional<Millis> FlatFieldReader::time(std::string_view key) {
  const FlatJson::Field* field = find(key);
  if (!field) return std::nullopt;
  if (field->kind != FlatJson::Kind::string) {
    wrong_type(key, *field, "string");
    return std::nullopt;
  }
  const std::string_view text = json_.view(field->string);
  auto parsed = protocol::parse_iso8601(text);
  if (!parsed) fail(field_messages::not_a_time(key, text));
  return parsed;
}

std::optional<FlatFieldReader> FlatFieldReader::object(std::string_view key) {
  const FlatJson::Field* field = find(key);
  if (!field) return std::nullopt;
  if (field->kind != FlatJson::Kind::object) {
    wrong_type(key, *field, "object");
    return std::nullopt;
  }
  return FlatFieldReader(json_, field->object,
                         where_.empty() ? std::string(key) : where_ + "." + std::string(key));
}

bool FlatFieldReader::array(std::string_view key) {
  const FlatJson::Field* field = find(key);
  if (!field) return false;
  if (field->kind != FlatJson::Kind::array) {
    wrong_type(key, *field, "array");
    return false;
  }
  return true;
}

}  // namespace jobtrack
