#include "daemon/providers/prism_rows.h"

#include <fmt/format.h>

#include "daemon/providers/json_fields.h"

namespace jobtrack::providers {

tl::expected<RowResult, std::string> read_prism_row(const nlohmann::json& item,
                                                    std::int64_t index) {
  if (!item.is_object()) {
    return tl::make_unexpected(
        fmt::format("results[{}] is a {}, expected an object", index, item.type_name()));
  }
  FieldReader fields(item, fmt::format("results[{}]", index));
  RowResult row;
  row.row = index;
  row.record_id = fields.string("id");
  row.created = fields.boolean("created");
  row.existing = fields.boolean("existing");
  if (const nlohmann::json* error = fields.object("error")) {
    FieldReader error_fields(*error, fmt::format("results[{}].error", index));
    row.error_code = error_fields.string("code");
    row.error_message = error_fields.string("message");
    if (!error_fields.ok()) fields.fail(error_fields.error());
  }
  if (!fields.ok()) return tl::make_unexpected(fields.error());
  return row;
}

namespace {

const char* field_name(int field) {
  static const char* const kNames[] = {"", "id", "created", "existing", "error", "code", "message"};
  return kNames[field];
}

}  // namespace

// ---- scalars: the row reader first, the DOM when it declines

bool PrismRowStream::null() {
  if (in_ != In::none && fast_null()) return true;
  return value(nullptr);
}

bool PrismRowStream::boolean(bool flag) {
  if (in_ != In::none) {
    if (fast_boolean(flag)) return true;
    to_dom();
  }
  return value(flag);
}

bool PrismRowStream::number_integer(json::number_integer_t number) {
  if (in_ != In::none) {
    if (field_ == Field::other) return true;
    to_dom();
  }
  return value(number);
}

bool PrismRowStream::number_unsigned(json::number_unsigned_t number) {
  if (in_ != In::none) {
    if (field_ == Field::other) return true;
    to_dom();
  }
  return value(number);
}

bool PrismRowStream::number_float(json::number_float_t number, const string_t&) {
  if (in_ != In::none) {
    if (field_ == Field::other) return true;
    to_dom();
  }
  return value(number);
}

bool PrismRowStream::string(string_t& text) {
  if (in_ != In::none) {
    if (fast_string(text)) return true;
    to_dom();
  }
  return value(std::move(text));
}

bool PrismRowStream::fast_string(string_t& text) {
  switch (field_) {
    case Field::other:
      return true;  // a field rows do not have: ignored, as read_prism_row does
    case Field::id:
      row_.record_id = std::move(text);
      return true;
    case Field::code:
      row_.error_code = std::move(text);
      return true;
    case Field::message:
      row_.error_message = std::move(text);
      return true;
    default:
      return false;
  }
}

bool PrismRowStream::fast_boolean(bool flag) {
  switch (field_) {
    case Field::other:
      return true;
    case Field::created:
      row_.created = flag;
      return true;
    case Field::existing:
      row_.existing = flag;
      return true;
    default:
      return false;
  }
}

// null is "not said" for every field, as FieldReader reads it.
bool PrismRowStream::fast_null() {
  switch (field_) {
    case Field::id:
      row_.record_id.reset();
      break;
    case Field::created:
      row_.created.reset();
      break;
    case Field::existing:
      row_.existing.reset();
      break;
    case Field::error:
      row_has_error_ = false;
      row_.error_code.reset();
      row_.error_message.reset();
      break;
    case Field::code:
      row_.error_code.reset();
      break;
    case Field::message:
      row_.error_message.reset();
      break;
    case Field::other:
      break;
  }
  return true;
}

// ---- containers and keys

bool PrismRowStream::start_object(std::size_t) {
  if (in_ == In::none && stack_.empty() && depth_ == 2) {
    in_ = In::row;  // a row: read without a DOM
    field_ = Field::other;
    row_ = RowResult{};
    row_has_error_ = false;
    return true;
  }
  if (in_ == In::row && field_ == Field::error) {
    in_ = In::error;  // a later `error` replaces an earlier one whole, as in a DOM
    field_ = Field::other;
    row_has_error_ = true;
    row_.error_code.reset();
    row_.error_message.reset();
    return true;
  }
  if (in_ != In::none) to_dom();
  return open(json::object());
}

bool PrismRowStream::start_array(std::size_t) {
  if (in_ != In::none) {
    to_dom();
    return open(json::array());
  }
  if (stack_.empty() && depth_ == 1 && key_ == "results") {
    depth_ = 2;  // rows follow, each read on its own
    saw_results_ = true;
    return true;
  }
  return open(json::array());
}

bool PrismRowStream::key(string_t& name) {
  if (in_ == In::row) {
    field_ = name == "id"         ? Field::id
             : name == "created"  ? Field::created
             : name == "existing" ? Field::existing
             : name == "error"    ? Field::error
                                  : Field::other;
    if (field_ == Field::other) field_name_ = std::move(name);
    return true;
  }
  if (in_ == In::error) {
    field_ = name == "code" ? Field::code : name == "message" ? Field::message : Field::other;
    if (field_ == Field::other) field_name_ = std::move(name);
    return true;
  }
  if (stack_.empty()) {
    key_ = std::move(name);
  } else {
    keys_.back() = std::move(name);
  }
  return true;
}

bool PrismRowStream::end_object() {
  if (in_ == In::error) {
    in_ = In::row;
    field_ = Field::other;
    return true;
  }
  if (in_ == In::row) {
    in_ = In::none;
    take_row(std::move(row_));
    return true;
  }
  if (stack_.empty()) {  // the body itself
    depth_ = 0;
    return true;
  }
  return close();
}

bool PrismRowStream::end_array() {
  if (stack_.empty()) {  // the results array
    depth_ = 1;
    return true;
  }
  return close();
}

bool PrismRowStream::parse_error(std::size_t, const std::string&,
                                 const nlohmann::detail::exception&) {
  return fail(body_started_ ? "body is not valid JSON" : "empty body");
}

// The row so far, as the DOM a full parse would have built up to this
// event (absent and null read alike, so only values that were set appear).
void PrismRowStream::to_dom() {
  auto pending = [&] {
    return field_ == Field::other ? std::move(field_name_)
                                  : std::string(field_name(static_cast<int>(field_)));
  };
  json row = json::object();
  if (row_.record_id) row["id"] = std::move(*row_.record_id);
  if (row_.created) row["created"] = *row_.created;
  if (row_.existing) row["existing"] = *row_.existing;
  json error = json::object();
  if (row_.error_code) error["code"] = std::move(*row_.error_code);
  if (row_.error_message) error["message"] = std::move(*row_.error_message);
  if (in_ == In::row) {
    if (row_has_error_) row["error"] = std::move(error);
    stack_.push_back(std::move(row));
    keys_.push_back(pending());
  } else {
    stack_.push_back(std::move(row));
    keys_.emplace_back("error");
    stack_.push_back(std::move(error));
    keys_.push_back(pending());
  }
  in_ = In::none;
}

// ---- the DOM path: the head, and rows of an unexpected shape

bool PrismRowStream::open(json container) {
  body_started_ = true;
  if (depth_ == 0 && stack_.empty()) {
    if (!container.is_object()) return fail("body is a JSON array, expected an object");
    depth_ = 1;
    return true;
  }
  stack_.push_back(std::move(container));
  keys_.emplace_back();
  return true;
}

bool PrismRowStream::close() {
  json done = std::move(stack_.back());
  stack_.pop_back();
  keys_.pop_back();
  return value(std::move(done));
}

bool PrismRowStream::value(json item) {
  body_started_ = true;
  if (!stack_.empty()) {
    json& parent = stack_.back();
    if (parent.is_object()) {
      parent[keys_.back()] = std::move(item);
    } else {
      parent.push_back(std::move(item));
    }
    return true;
  }
  if (depth_ == 0)
    return fail(fmt::format("body is a JSON {}, expected an object", item.type_name()));
  if (depth_ == 2) return take_row(item);
  head_[key_] = std::move(item);
  return true;
}

bool PrismRowStream::take_row(const json& item) {
  if (!row_error_.empty()) {
    ++rows_;
    return true;
  }
  auto row = read_prism_row(item, rows_);
  if (!row) {
    ++rows_;
    row_error_ = row.error();
    return true;
  }
  take_row(std::move(*row));
  return true;
}

void PrismRowStream::take_row(RowResult&& row) {
  const std::int64_t index = rows_++;
  if (!row_error_.empty()) return;
  row.row = index;
  row_failed_ = row_failed_ || row.error_code || row.error_message;
  sink_.row(std::move(row));
}

bool PrismRowStream::fail(std::string message) {
  if (error_.empty()) error_ = std::move(message);
  return false;
}

}  // namespace jobtrack::providers
