// The Prism provider's streaming reader (parse_status_spooled) against its
// in-memory reader (parse_status) on the same bodies.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "daemon/providers/provider.h"
#include "daemon/spool.h"

using jobtrack::Observation;
using jobtrack::RowResult;
using jobtrack::RowSink;
using jobtrack::Spool;
using jobtrack::State;

namespace {

class Collect final : public RowSink {
 public:
  void row(RowResult&& row) override { rows.push_back(std::move(row)); }
  std::vector<RowResult> rows;
};

std::unique_ptr<jobtrack::Provider> prism() {
  jobtrack::EndpointConfig endpoint;
  endpoint.name = "prism";
  endpoint.provider = "prism";
  endpoint.base_url = "http://127.0.0.1:1";
  endpoint.settings = {{"team_id", "team"}};
  auto made = jobtrack::make_provider(endpoint);
  REQUIRE(made);
  return std::move(*made);
}

std::unique_ptr<Spool> spool_of(const std::string& body) {
  auto spool = Spool::create("");
  REQUIRE(spool);
  REQUIRE((*spool)->append(body.data(), body.size()));
  return std::move(*spool);
}

bool same_row(const RowResult& a, const RowResult& b) {
  return a.row == b.row && a.record_id == b.record_id && a.created == b.created &&
         a.existing == b.existing && a.error_code == b.error_code &&
         a.error_message == b.error_message;
}

const char* const kComplete =
    R"({"job_id":"imp_1","status":"complete","total":3,"processed":3,"succeeded":2,"failed":1,)"
    R"("created_at":"2024-05-01T10:00:00Z","expires_at":"2024-05-08T10:00:00Z","error":null,"extra":{"a":[1,{"b":2}]},)"
    R"("results":[{"id":"r1","created":true,"existing":false,"error":null},)"
    R"({"id":"r2","created":false,"existing":true},)"
    R"({"id":null,"created":false,"existing":false,"error":{"code":"bad","message":"row 2: bad email"}}]})";

}  // namespace

TEST_CASE(
    "a spooled complete import streams every row to the sink and reads the rest as parse_status "
    "does") {
  auto provider = prism();
  auto memory = provider->parse_status(kComplete);
  REQUIRE(memory);
  Collect sink;
  auto spool = spool_of(kComplete);
  auto streamed = provider->parse_status_spooled(*spool, sink);
  REQUIRE(streamed);
  CHECK(streamed->state == State::partial);
  CHECK(streamed->state == memory->state);
  CHECK(streamed->remote_status == "complete");
  CHECK(streamed->total == memory->total);
  CHECK(streamed->failed == memory->failed);
  CHECK(streamed->progress == memory->progress);
  CHECK(streamed->remote_created_at == memory->remote_created_at);
  CHECK(streamed->expires_at == memory->expires_at);
  CHECK(streamed->has_rows);
  CHECK(streamed->rows.empty());
  REQUIRE(streamed->streamed_rows == 3);
  REQUIRE(sink.rows.size() == memory->rows.size());
  for (std::size_t i = 0; i < sink.rows.size(); ++i) CHECK(same_row(sink.rows[i], memory->rows[i]));
}

TEST_CASE("the streaming reader does not depend on status coming before the results") {
  const std::string body =
      R"({"results":[{"id":"r1","created":true,"existing":false}],"failed":0,"status":"complete",)"
      R"("error":{"code":"x","message":"not really"}})";
  Collect sink;
  auto spool = spool_of(body);
  auto streamed = prism()->parse_status_spooled(*spool, sink);
  REQUIRE(streamed);
  CHECK(streamed->state == State::succeeded);
  CHECK(streamed->streamed_rows == 1);
  CHECK(streamed->error_code == "x");
  CHECK(streamed->error_message == "not really");
  REQUIRE(sink.rows.size() == 1);
  CHECK(sink.rows[0].record_id == "r1");
}

TEST_CASE("results of a job still processing are not reported as its rows") {
  const std::string body =
      R"({"status":"processing","total":10,"processed":5,"results":[{"id":"r1"}]})";
  Collect sink;
  auto spool = spool_of(body);
  auto streamed = prism()->parse_status_spooled(*spool, sink);
  REQUIRE(streamed);
  CHECK(streamed->state == State::running);
  CHECK(streamed->progress == 50.0);
  CHECK_FALSE(streamed->has_rows);
  CHECK_FALSE(streamed->streamed_rows);
}

TEST_CASE("the streaming reader refuses what parse_status refuses, with the same message") {
  auto provider = prism();
  const std::vector<std::string> bodies = {
      "",
      "{\"status\": \"complete\", \"results\": [",
      "[1, 2]",
      "42",
      R"({"status":"complete","results":[{"id":"r1"},7]})",
      R"({"status":"complete","results":[{"id":5}]})",
      R"({"status":"complete","results":{"id":"r1"}})",
      R"({"total":"many"})",
      R"({"results":[]})",
  };
  for (const auto& body : bodies) {
    INFO(body);
    auto memory = provider->parse_status(body);
    REQUIRE_FALSE(memory);
    Collect sink;
    auto spool = spool_of(body);
    auto streamed = provider->parse_status_spooled(*spool, sink);
    REQUIRE_FALSE(streamed);
    CHECK(streamed.error() == memory.error());
  }
}

TEST_CASE("an empty results array of a complete import is a complete set of zero rows") {
  Collect sink;
  auto spool = spool_of(R"({"status":"complete","total":0,"results":[]})");
  auto streamed = prism()->parse_status_spooled(*spool, sink);
  REQUIRE(streamed);
  CHECK(streamed->state == State::succeeded);
  CHECK(streamed->has_rows);
  CHECK(streamed->streamed_rows == 0);
  CHECK(sink.rows.empty());
}

// Each row below is read by the streaming reader without a DOM, or rebuilt
// as one part way through; either way it must read as parse_status reads it.
TEST_CASE("rows of every shape read the same streamed as in memory, rows and messages alike") {
  const std::vector<std::string> rows = {
      R"({"id":"r","created":true,"existing":false,"error":null})",
      R"({})",
      R"({"id":null,"created":null,"existing":null})",
      R"({"error":{"code":"c","message":"m"}})",
      R"({"error":{"code":null,"message":"m","extra":[1,{"a":2}]}})",
      R"({"error":{}})",
      R"({"error":{"code":"c"},"error":null})",
      R"({"error":null,"error":{"message":"late"}})",
      R"({"id":"a","id":"b","created":true,"created":null})",
      R"({"note":"x","n":1,"u":18446744073709551615,"f":1.5,"b":true,"z":null,"id":"r"})",
      R"({"meta":{"deep":[1,[2,{"x":null}]]},"id":"r","created":false})",
      R"({"list":[],"id":"r"})",
      R"({"id":"\u00e9\n\"q\""})",
      R"({"id":5,"id":"later"})",
      R"({"id":"first","id":5})",
      R"({"id":"r","created":"yes"})",
      R"({"id":"r","existing":1})",
      R"({"id":"r","created":true,"error":"boom"})",
      R"({"id":"r","error":{"code":7}})",
      R"({"id":"r","error":{"code":"c","message":false}})",
      R"({"id":"r","error":{"code":"c","message":{"nested":true}}})",
      R"({"id":"r","error":{"code":"c"},"created":[true]})",
      R"({"id":"r","error":[]})",
      R"({"id":{"a":1}})",
      R"({"id":["a"]})",
      R"({"created":2.5,"existing":-1})",
      R"([1,2])",
      R"("text")",
      R"(null)",
      R"(true)",
      R"(3)",
  };
  auto provider = prism();
  for (const auto& row : rows) {
    // The odd row between two plain ones: what follows it must be unaffected.
    const std::string body = R"({"status":"complete","results":[{"id":"before","created":true},)" +
                             row + R"(,{"id":"after","error":{"code":"e","message":"m"}}]})";
    INFO(body);
    auto memory = provider->parse_status(body);
    Collect sink;
    auto spool = spool_of(body);
    auto streamed = provider->parse_status_spooled(*spool, sink);
    REQUIRE(streamed.has_value() == memory.has_value());
    if (!memory) {
      CHECK(streamed.error() == memory.error());
      continue;
    }
    CHECK(streamed->state == memory->state);
    REQUIRE(streamed->streamed_rows == 3);
    REQUIRE(sink.rows.size() == memory->rows.size());
    for (std::size_t i = 0; i < sink.rows.size(); ++i) {
      INFO(i);
      CHECK(same_row(sink.rows[i], memory->rows[i]));
    }
  }
}

TEST_CASE("after a malformed row the streaming reader counts later rows but hands none on") {
  const std::string body =
      R"({"results":[{"id":"r0"},{"id":1},{"id":"r2"},{"id":"r3","error":{"code":"x"}}],)"
      R"("status":"complete"})";
  Collect sink;
  auto spool = spool_of(body);
  auto streamed = prism()->parse_status_spooled(*spool, sink);
  REQUIRE_FALSE(streamed);
  CHECK(streamed.error() == "field results[1].id has type number, expected string");
  REQUIRE(sink.rows.size() == 1);
  CHECK(sink.rows[0].record_id == "r0");
}
