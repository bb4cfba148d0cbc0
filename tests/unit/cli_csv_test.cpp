#include <string_view>

#include <catch2/catch.hpp>

#include "cli/csv.h"

using namespace jobtrack::cli;
using nlohmann::json;

TEST_CASE("csv_field quotes per RFC 4180 only when needed") {
  CHECK(csv_field("plain") == "plain");
  CHECK(csv_field("") == "");
  CHECK(csv_field("a,b") == "\"a,b\"");
  CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csv_field("two\nlines") == "\"two\nlines\"");
  CHECK(csv_field("cr\r") == "\"cr\r\"");
  CHECK(csv_field(" padded") == "\" padded\"");
}

TEST_CASE("csv cells and records follow the field list") {
  CHECK(csv_cell(nullptr) == "");
  CHECK(csv_cell(true) == "true");
  CHECK(csv_cell(42) == "42");
  CHECK(csv_cell("x") == "x");
  CHECK(csv_cell(json{{"a", 1}}) == "{\"a\":1}");
  constexpr std::string_view kFields[] = {"row", "record_id", "error_message"};
  CHECK(csv_header(kFields) == "row,record_id,error_message\n");
  CHECK(csv_record(json{{"row", 3}, {"error_message", "bad, \"very\""}}, kFields) ==
        "3,,\"bad, \"\"very\"\"\"\n");
  CHECK(csv_line({"a", "b"}) == "a,b\n");
}
