// CSV for spreadsheets and scripts (--output csv): RFC 4180 quoting, one
// record per line ending in "\n" (what Unix tools expect; RFC 4180 readers
// accept it). A header row names the fields exactly as --json does.
//
// A cell is quoted when it holds a comma, a double quote, CR or LF, or
// starts or ends with a blank; quotes inside are doubled. JSON values become
// cells: null empty, strings verbatim, booleans true/false, numbers as JSON
// writes them, objects and arrays as compact JSON. Pure; any thread.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace jobtrack::cli {

std::string csv_field(std::string_view text);
// The fields joined by commas, quoted as needed, and "\n".
std::string csv_line(const std::vector<std::string>& fields);
std::string csv_cell(const nlohmann::json& value);
std::string csv_header(std::span<const std::string_view> fields);
// One record: the object's `fields` in order (absent ones empty).
std::string csv_record(const nlohmann::json& object, std::span<const std::string_view> fields);

}  // namespace jobtrack::cli
