// FlatJson and FlatFieldReader: every read must give what FieldReader gives
// over nlohmann's DOM of the same body, error messages included, and every
// body the flat parse does not take must be refused (nullopt) so that the
// DOM reads it instead.
#include "daemon/providers/flat_json.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "daemon/providers/json_fields.h"

using jobtrack::FieldReader;
using jobtrack::FlatFieldReader;
using jobtrack::parse_flat_object;

namespace {

// What each reader made of one field: the value read and the first error.
struct Reading {
  std::optional<std::string> string;
  std::optional<std::int64_t> integer;
  std::optional<std::int64_t> time;
  bool object = false;
  bool array = false;
  std::string error;
  bool operator==(const Reading&) const = default;
};

template <class Reader, class Nested>
Reading read_all(Reader& reader, const std::string& key, Nested nested) {
  Reading out;
  out.string = reader.string(key);
  out.integer = reader.integer(key);
  out.time = reader.time(key);
  out.object = nested(reader, key);
  out.array = static_cast<bool>(reader.array(key));
  out.error = reader.error();
  return out;
}

Reading read_dom(const std::string& body, const std::string& key) {
  auto parsed = jobtrack::parse_json_object(body);
  REQUIRE(parsed);
  FieldReader reader(*parsed);
  return read_all(reader, key,
                  [](FieldReader& r, const std::string& k) { return r.object(k) != nullptr; });
}

Reading read_flat(const std::string& body, const std::string& key) {
  auto flat = parse_flat_object(body);
  REQUIRE(flat);
  FlatFieldReader reader(*flat);
  return read_all(reader, key,
                  [](FlatFieldReader& r, const std::string& k) { return r.object(k).has_value(); });
}

}  // namespace

TEST_CASE("a flat read of every kind of field equals FieldReader's, errors included") {
  const std::vector<std::string> values = {R"("processing")",
                                           R"("2024-05-01T10:00:00Z")",
                                           R"("yesterday")",
                                           R"("caf\u00e9 \"q\"")",
                                           "42",
                                           "-7",
                                           "0",
                                           "1.0",
                                           "2.5",
                                           "1e3",
                                           "9223372036854775807",
                                           "9223372036854775808",
                                           "18446744073709551615",
                                           "1e300",
                                           "true",
                                           "false",
                                           "null",
                                           "{}",
                                           R"({"a":1})",
                                           "[]",
                                           "[1,2]"};
  for (const auto& value : values) {
    const std::string body = R"({"other":1,"field":)" + value + "}";
    INFO(body);
    const Reading dom = read_dom(body, "field");
    const Reading flat = read_flat(body, "field");
    CHECK(flat.string == dom.string);
    CHECK(flat.integer == dom.integer);
    CHECK(flat.time == dom.time);
    CHECK(flat.object == dom.object);
    CHECK(flat.array == dom.array);
    CHECK(flat.error == dom.error);
  }
  // A missing field reads as nothing, with no error, in both.
  CHECK(read_flat(R"({"other":1})", "field") == read_dom(R"({"other":1})", "field"));
}

TEST_CASE("a flat nested object names its fields as where.key, as FieldReader does") {
  const std::string body = R"({"error":{"code":5,"message":"boom","inner":{"deep":true}}})";
  auto parsed = jobtrack::parse_json_object(body);
  REQUIRE(parsed);
  FieldReader dom(*parsed);
  FieldReader dom_error(*dom.object("error"), "error");
  CHECK_FALSE(dom_error.string("code"));
  CHECK(dom_error.string("message") == "boom");

  auto flat = parse_flat_object(body);
  REQUIRE(flat);
  FlatFieldReader reader(*flat);
  auto error = reader.object("error");
  REQUIRE(error);
  CHECK_FALSE(error->string("code"));
  CHECK(error->string("message") == "boom");
  CHECK(error->error() == dom_error.error());
  CHECK(error->error() == "field error.code has type number, expected string");
  auto inner = error->object("inner");
  REQUIRE(inner);
  CHECK_FALSE(inner->string("deep"));
  CHECK(inner->error() == "field error.inner.deep has type boolean, expected string");
}

TEST_CASE("a repeated key reads as its last value, as nlohmann keeps it") {
  const std::string body = R"({"status":"queued","status":"complete"})";
  CHECK(read_flat(body, "status") == read_dom(body, "status"));
  CHECK(read_flat(body, "status").string == "complete");
}

TEST_CASE("the flat parse refuses what it does not take, leaving it to the DOM") {
  CHECK_FALSE(parse_flat_object(""));
  CHECK_FALSE(parse_flat_object(std::string_view()));  // no data pointer at all
  CHECK_FALSE(parse_flat_object("{"));
  CHECK_FALSE(parse_flat_object(R"({"a":1} trailing)"));
  CHECK_FALSE(parse_flat_object("[1,2]"));
  CHECK_FALSE(parse_flat_object(R"("text")"));
  CHECK_FALSE(parse_flat_object(R"({"big":123456789012345678901234567890})"));
  CHECK_FALSE(parse_flat_object("{\"bad\":\"\xff\"}"));

  std::string deep = "{\"a\":";
  for (int i = 0; i < jobtrack::FlatJson::kMaxDepth; ++i) deep += "{\"a\":";
  deep += "1" + std::string(jobtrack::FlatJson::kMaxDepth + 1, '}');
  CHECK_FALSE(parse_flat_object(deep));
  std::string shallow = "{\"a\":";
  for (int i = 1; i < jobtrack::FlatJson::kMaxDepth - 1; ++i) shallow += "{\"a\":";
  shallow += "1" + std::string(jobtrack::FlatJson::kMaxDepth - 1, '}');
  CHECK(parse_flat_object(shallow));

  std::string large = R"({"pad":")" + std::string(jobtrack::FlatJson::kMaxBytes, 'x') + "\"}";
  CHECK_FALSE(parse_flat_object(large));
  CHECK(jobtrack::parse_json_object(large));
}

TEST_CASE("a FlatJson keeps its strings when moved, however short") {
  std::optional<jobtrack::FlatJson> kept;
  {
    auto flat = parse_flat_object(R"({"s":"x"})");
    REQUIRE(flat);
    kept = std::move(flat);
  }
  // Another parse on this thread reuses the parser's buffers.
  REQUIRE(parse_flat_object(R"({"s":"overwritten","t":"more text than before"})"));
  FlatFieldReader reader(*kept);
  CHECK(reader.string("s") == "x");
}
