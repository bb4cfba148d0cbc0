// Upgrading a version 1 database (as the first release left it) to version 2.
#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "daemon/migrations.h"
#include "daemon/store.h"
#include "tests/unit/scratch_dir.h"

using jobtrack::Store;
using jobtrack::test::ScratchDir;

namespace {

std::int64_t value(SQLite::Database& db, const std::string& sql) {
  return db.execAndGet(sql).getInt64();
}

// Version 1 by hand: the embedded 001 text and the pragmas the first
// release set, with rows written in plain SQL as that release would have.
void make_version_1(const std::string& path) {
  SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db.exec("PRAGMA auto_vacuum = INCREMENTAL");
  db.exec("PRAGMA journal_mode = WAL");
  const auto& first = jobtrack::embedded_migrations().front();
  REQUIRE(first.version == 1);
  SQLite::Transaction transaction(db);
  db.exec(std::string(first.sql));
  db.exec(fmt::format("PRAGMA application_id = {}", jobtrack::kApplicationId));
  db.exec("PRAGMA user_version = 1");
  for (int i = 1; i <= 50; ++i) {
    const long long submitted = 1'700'000'000'000LL + i * 1000LL;
    const bool done = i % 2 == 0;
    db.exec(fmt::format(
        "INSERT INTO jobs (endpoint, remote_id, state, remote_status, submitter_uid, submitted_at, "
        "finished_at, "
        "expires_at, results_stored) VALUES ('{}', 'r{}', '{}', '{}', 1000, {}, {}, {}, {})",
        i % 3 == 0 ? "ttd" : "prism", i, done ? "succeeded" : "running",
        done ? "complete" : "processing", submitted,
        done ? std::to_string(submitted + 5000) : "NULL",
        done ? std::to_string(submitted + 86'400'000) : "NULL", done ? 10 : 0));
    db.exec(fmt::format("INSERT INTO transitions (job_id, at, to_state) VALUES ({}, {}, 'queued')",
                        i, submitted));
    if (done) {
      db.exec(
          fmt::format("INSERT INTO transitions (job_id, at, from_state, to_state, remote_status) "
                      "VALUES ({}, {}, 'queued', "
                      "'succeeded', 'complete')",
                      i, submitted + 5000));
      for (int row = 0; row < 10; ++row) {
        db.exec(fmt::format(
            "INSERT INTO import_results (job_id, row, record_id, created, error_code) VALUES "
            "({}, {}, 'rec', 1, {})",
            i, row, row == 3 ? "'bad_row'" : "NULL"));
      }
    }
    db.exec(fmt::format(
        "INSERT INTO polls (job_id, endpoint, started_at, latency_ms, http_status, outcome) "
        "VALUES ({}, 'prism', {}, 40, 200, 'ok')",
        i, submitted));
  }
  transaction.commit();
}

}  // namespace

TEST_CASE("a version 1 database opens as version 2 with nothing lost") {
  ScratchDir dir;
  const auto path = dir.file("jobtrack.db");
  make_version_1(path);
  {
    SQLite::Database db(path, SQLite::OPEN_READONLY);
    REQUIRE(value(db, "PRAGMA user_version") == 1);
    REQUIRE_FALSE(db.execAndGet("SELECT count(*) FROM sqlite_schema WHERE name = 'endpoint_daily'")
                      .getInt() == 1);
  }

  {
    Store store(path);
    CHECK(Store::schema_version() >= 2);
    auto job = store.find("prism", "r2");
    REQUIRE(job);
    CHECK(job->state == jobtrack::State::succeeded);
    CHECK(store.results(job->id, std::nullopt, 100, false).total == 10);
    CHECK(store.history(job->id).size() == 2);
  }

  SQLite::Database db(path, SQLite::OPEN_READONLY);
  CHECK(value(db, "PRAGMA user_version") == Store::schema_version());
  CHECK(value(db, "PRAGMA application_id") == jobtrack::kApplicationId);
  CHECK(value(db, "SELECT count(*) FROM jobs") == 50);
  CHECK(value(db, "SELECT count(*) FROM transitions") == 75);
  CHECK(value(db, "SELECT count(*) FROM import_results") == 250);
  CHECK(value(db, "SELECT count(*) FROM polls") == 50);
  CHECK(value(db, "SELECT count(*) FROM pragma_foreign_key_check") == 0);
  CHECK(db.execAndGet("PRAGMA integrity_check").getString() == "ok");

  // The new index and every view exist and read.
  CHECK(value(db,
              "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = "
              "'jobs_endpoint_expiry'") == 1);
  for (const char* view : {"jobs_view", "transitions_view", "endpoint_stats", "endpoint_daily",
                           "jobs_expiring", "import_errors", "polls_view"}) {
    INFO(view);
    CHECK(value(db, fmt::format(
                        "SELECT count(*) FROM sqlite_schema WHERE type = 'view' AND name = '{}'",
                        view)) == 1);
    CHECK_NOTHROW(value(db, fmt::format("SELECT count(*) FROM {}", view)));
  }
  CHECK(value(db, "SELECT count(*) FROM jobs_view") == 50);
  CHECK(value(db, "SELECT count(*) FROM transitions_view") == 75);
  CHECK(value(db, "SELECT count(*) FROM import_errors") == 25);
  CHECK(value(db, "SELECT sum(jobs) FROM endpoint_stats") == 50);
  CHECK(value(db, "SELECT sum(finished) FROM endpoint_daily") == 25);
  CHECK(db.execAndGet("SELECT duration FROM jobs_view WHERE remote_id = 'r2'").getString() ==
        "00:00:05");
  CHECK(db.execAndGet(
              "SELECT since_previous FROM transitions_view WHERE remote_id = 'r2' AND to_state = "
              "'succeeded'")
            .getString() == "00:00:05");
}

TEST_CASE("the query plans use the expiry index") {
  ScratchDir dir;
  const auto path = dir.file("jobtrack.db");
  { Store store(path); }
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  SQLite::Statement plan(
      db,
      "EXPLAIN QUERY PLAN SELECT id FROM jobs WHERE endpoint = 'x' AND expires_at IS NOT NULL "
      "AND expires_at <= 5 AND state NOT IN ('queued', 'running') ORDER BY expires_at, id "
      "LIMIT 10");
  std::string text;
  while (plan.executeStep()) text += plan.getColumn(3).getString() + "\n";
  CHECK_THAT(text, Catch::Contains("jobs_endpoint_expiry"));
}
