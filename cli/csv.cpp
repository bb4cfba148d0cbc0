#include "cli/csv.h"

namespace jobtrack::cli {

std::string csv_field(std::string_view text) {
  bool quote = text.find_first_of(",\"\r\n") != std::string_view::npos ||
               (!text.empty() && (text.front() == ' ' || text.back() == ' '));
  if (!quote) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string csv_line(const std::vector<std::string>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    out += csv_field(fields[i]);
  }
  out += '\n';
  return out;
}

std::string csv_cell(const nlohmann::json& value) {
  if (value.is_null()) return {};
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string csv_header(std::span<const std::string_view> fields) {
  std::vector<std::string> names(fields.begin(), fields.end());
  return csv_line(names);
}

std::string csv_record(const nlohmann::json& object, std::span<const std::string_view> fields) {
  std::vector<std::string> cells;
  cells.reserve(fields.size());
  for (std::string_view field : fields) {
    auto it = object.is_object() ? object.find(field) : object.end();
    cells.push_back(object.is_object() && it != object.end() ? csv_cell(*it) : std::string());
  }
  return csv_line(cells);
}

}  // namespace jobtrack::cli
