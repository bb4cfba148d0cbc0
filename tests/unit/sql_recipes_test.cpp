// The SQL of docs/sql.md, run against a populated database so the page
// cannot drift from the schema. The recipes are repeated here with what they
// must return; each copy must also appear word for word in the page.
#include <chrono>

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "daemon/store.h"
#include "tests/unit/sample_jobs.h"
#include "tests/unit/scratch_dir.h"

using jobtrack::Millis;
using jobtrack::State;
using jobtrack::Store;
using jobtrack::test::add_job;
using jobtrack::test::SampleJob;
using jobtrack::test::ScratchDir;

namespace {

constexpr Millis kSecond = 1000;
constexpr Millis kHour = 3600 * kSecond;
constexpr Millis kDay = 24 * kHour;

const char* const kFailedYesterday = R"(SELECT id, endpoint, remote_id, label, state,
       strftime('%Y-%m-%dT%H:%M:%SZ', finished_at / 1000, 'unixepoch') AS finished,
       error_code, error_message, failed AS rows_failed
FROM jobs
WHERE state IN ('failed', 'partial', 'timed_out', 'not_found')
  AND finished_at >= strftime('%s', 'now', 'start of day', '-1 day') * 1000
  AND finished_at < strftime('%s', 'now', 'start of day') * 1000
ORDER BY finished_at;)";

const char* const kRowsFailed = R"(SELECT row, record_id, error_code, error_message
FROM import_errors
WHERE job_id = 42
ORDER BY row;)";

const char* const kCommonReasons = R"(SELECT error_code, count(*) AS rows, min(row) AS first_row
FROM import_errors
WHERE job_id = 42
GROUP BY error_code
ORDER BY rows DESC;)";

const char* const kTtdByDay = R"(SELECT day, finished, median_s, avg_s, max_s, failure_rate
FROM endpoint_daily
WHERE endpoint = 'ttd'
ORDER BY day DESC;)";

const char* const kExpiringSoon =
    R"(SELECT id, endpoint, remote_id, label, state, expires, results_stored
FROM jobs_expiring
WHERE expires_in_s BETWEEN 0 AND 86400;)";

const char* const kPollErrorRate = R"(SELECT endpoint,
       count(*) AS polls,
       sum(outcome <> 'ok') AS failed,
       round(1.0 * sum(outcome <> 'ok') / count(*), 4) AS error_rate,
       round(avg(latency_ms)) AS avg_latency_ms
FROM polls
WHERE started_at >= (strftime('%s', 'now') - 3600) * 1000
GROUP BY endpoint
ORDER BY error_rate DESC;)";

const char* const kHistory =
    R"(SELECT at, from_state, to_state, remote_status, since_previous, detail
FROM transitions_view
WHERE job_id = 42
ORDER BY at;)";

const char* const kGlance =
    R"(SELECT endpoint, jobs, active, failed, failure_rate, median_finish_s, p90_finish_s
FROM endpoint_stats
ORDER BY endpoint;)";

Millis wall_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string docs() {
  return jobtrack::test::read_bytes(JOBTRACK_SOURCE_DIR "/docs/sql.md");
}

// Every ```sql block of the page.
std::vector<std::string> sql_blocks(const std::string& text) {
  std::vector<std::string> blocks;
  const std::string open = "```sql\n";
  for (auto start = text.find(open); start != std::string::npos; start = text.find(open, start)) {
    start += open.size();
    const auto end = text.find("```", start);
    REQUIRE(end != std::string::npos);
    blocks.push_back(text.substr(start, end - start));
    start = end + 3;
  }
  return blocks;
}

// Jobs 1..48 with real times (the recipes ask about "yesterday" and "the
// last hour"): job 42 is a partial import with three failed rows.
void populate(Store& store, Millis now) {
  const Millis today = now - now % kDay;
  const Millis yesterday_noon = today - kDay + 12 * kHour;
  SampleJob polled;
  polled.remote_id = "polled";
  polled.submitted_at = now - 600 * kSecond;
  polled.polls = 10;
  polled.failed_polls = 2;
  REQUIRE(add_job(store, polled) == 1);
  for (int i = 2; i <= 41; ++i) {
    SampleJob filler;
    filler.remote_id = fmt::format("filler-{}", i);
    filler.submitted_at = now - kHour;
    add_job(store, filler);
  }
  auto finished = [&](const std::string& endpoint, const std::string& remote_id, State state,
                      Millis at, Millis took, std::optional<Millis> expires, int rows,
                      std::optional<std::string> error) {
    SampleJob sample;
    sample.endpoint = endpoint;
    sample.remote_id = remote_id;
    sample.state = state;
    sample.submitted_at = at - took;
    sample.finished_at = at;
    sample.expires_at = expires;
    sample.rows = rows;
    sample.error_message = std::move(error);
    return add_job(store, sample);
  };
  REQUIRE(finished("prism", "imp-42", State::partial, yesterday_noon, kHour, now + 2 * kHour, 30,
                   "3 rows failed") == 42);
  finished("prism", "imp-43", State::failed, yesterday_noon + kHour, kHour, now + 3 * kDay, 0,
           "quota exceeded");
  finished("prism", "imp-44", State::failed, now - kSecond, 60 * kSecond, now + 10 * kHour, 0,
           "bad file");
  finished("prism", "imp-45", State::succeeded, yesterday_noon, kHour, now - kHour, 0,
           std::nullopt);
  finished("ttd", "46", State::succeeded, now - kSecond, 60 * kSecond, std::nullopt, 0,
           std::nullopt);
  finished("ttd", "47", State::succeeded, yesterday_noon, 120 * kSecond, std::nullopt, 0,
           std::nullopt);
  finished("ttd", "48", State::failed, yesterday_noon - kDay, 30 * kSecond, std::nullopt, 0,
           "boom");
}

struct Rows {
  std::vector<std::vector<std::string>> rows;  // every column as text ("" for NULL)
  std::size_t size() const { return rows.size(); }
};

Rows query(SQLite::Database& db, const std::string& sql) {
  SQLite::Statement statement(db, sql);
  Rows out;
  while (statement.executeStep()) {
    std::vector<std::string> row;
    for (int i = 0; i < statement.getColumnCount(); ++i)
      row.push_back(statement.getColumn(i).getString());
    out.rows.push_back(std::move(row));
  }
  return out;
}

}  // namespace

TEST_CASE("every SQL block of docs/sql.md runs against a populated database") {
  ScratchDir dir;
  const auto path = dir.file("jobtrack.db");
  {
    Store store(path);
    populate(store, wall_now());
  }
  SQLite::Database db("file:" + path + "?mode=ro", SQLite::OPEN_READONLY | SQLite::OPEN_URI);
  const auto blocks = sql_blocks(docs());
  CHECK(blocks.size() >= 8);
  for (const auto& sql : blocks) {
    INFO(sql);
    CHECK_NOTHROW(query(db, sql));
  }
}

TEST_CASE("the recipes answer their questions") {
  ScratchDir dir;
  const auto path = dir.file("jobtrack.db");
  {
    Store store(path);
    populate(store, wall_now());
  }
  SQLite::Database db("file:" + path + "?mode=ro", SQLite::OPEN_READONLY | SQLite::OPEN_URI);
  const auto page = docs();
  for (const char* recipe : {kFailedYesterday, kRowsFailed, kCommonReasons, kTtdByDay,
                             kExpiringSoon, kPollErrorRate, kHistory, kGlance}) {
    INFO(recipe);
    CHECK(page.find(recipe) != std::string::npos);
  }

  SECTION("imports that failed yesterday and why") {
    const auto rows = query(db, kFailedYesterday);
    REQUIRE(rows.size() == 2);
    CHECK(rows.rows[0][0] == "42");
    CHECK(rows.rows[0][4] == "partial");
    CHECK(rows.rows[0][7] == "3 rows failed");
    CHECK(rows.rows[1][2] == "imp-43");
    CHECK(rows.rows[1][7] == "quota exceeded");
  }
  SECTION("rows that failed in job 42") {
    const auto rows = query(db, kRowsFailed);
    REQUIRE(rows.size() == 3);
    CHECK(rows.rows[0][0] == "9");
    CHECK(rows.rows[0][2] == "invalid_email");
    CHECK(rows.rows[2][3] == "row 29: email is not valid");
    const auto reasons = query(db, kCommonReasons);
    REQUIRE(reasons.size() == 1);
    CHECK(reasons.rows[0][1] == "3");
  }
  SECTION("how long Trade Desk jobs take by day") {
    const auto rows = query(db, kTtdByDay);
    REQUIRE(rows.size() == 3);
    CHECK(rows.rows[0][1] == "1");
    CHECK(std::stod(rows.rows[0][2]) == Approx(60.0));
    CHECK(std::stod(rows.rows[1][2]) == Approx(120.0));
    CHECK(std::stod(rows.rows[2][5]) == Approx(1.0));  // the failed one
  }
  SECTION("jobs expiring in the next day") {
    const auto rows = query(db, kExpiringSoon);
    REQUIRE(rows.size() == 2);
    CHECK(rows.rows[0][0] == "42");
    CHECK(rows.rows[0][6] == "30");
    CHECK(rows.rows[1][2] == "imp-44");
  }
  SECTION("poll error rate per endpoint in the last hour") {
    const auto rows = query(db, kPollErrorRate);
    REQUIRE(rows.size() == 1);
    CHECK(rows.rows[0][0] == "prism");
    CHECK(rows.rows[0][1] == "10");
    CHECK(rows.rows[0][2] == "2");
    CHECK(std::stod(rows.rows[0][3]) == Approx(0.2));
  }
  SECTION("a job's history and the endpoints at a glance") {
    const auto history = query(db, kHistory);
    REQUIRE(history.size() == 3);
    CHECK(history.rows[2][2] == "partial");
    CHECK(history.rows[2][4] ==
          "00:59:59");  // running from submission + 1 s until the finish an hour later
    const auto glance = query(db, kGlance);
    REQUIRE(glance.size() == 2);
    CHECK(glance.rows[0][0] == "prism");
    CHECK(glance.rows[0][1] == "45");
    CHECK(glance.rows[0][2] == "41");
  }
}
