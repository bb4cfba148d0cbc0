// Version 5 drops jobs_expiry and narrows jobs_endpoint_expiry to finished
// jobs: a version 4 database with active and finished jobs must upgrade
// intact, the index must hold the finished ones only, the sweeper's
// questions must still be answered from it, and an active job's expiry must
// never bring it up.
#include <string>

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "daemon/store.h"
#include "tests/unit/schema_at_version.h"
#include "tests/unit/scratch_dir.h"

using jobtrack::Store;
using jobtrack::test::ScratchDir;

namespace {

std::int64_t value(SQLite::Database& db, const std::string& sql) {
  return db.execAndGet(sql).getInt64();
}

std::string plan(SQLite::Database& db, const std::string& sql) {
  SQLite::Statement query(db, "EXPLAIN QUERY PLAN " + sql);
  std::string text;
  while (query.executeStep()) text += query.getColumn(3).getString() + "\n";
  return text;
}

// Up to version 4 through the same runner the daemon uses: on endpoint a,
// jobs a1..a6 expired (odd ones still running), a7 without expiry; on
// endpoint b, one running job b1 that has expired.
void make_version_4(const std::string& path) {
  SQLite::Database db = jobtrack::test::database_at_version(path, 4);
  SQLite::Transaction transaction(db);
  for (int i = 1; i <= 6; ++i) {
    db.exec(fmt::format(
        "INSERT INTO jobs (endpoint, remote_id, state, submitter_uid, submitted_at, expires_at) "
        "VALUES ('a', 'a{0}', '{1}', 0, 1000, {2})",
        i, i % 2 ? "running" : "succeeded", 2000 + i));
  }
  db.exec(
      "INSERT INTO jobs (endpoint, remote_id, state, submitter_uid, submitted_at) "
      "VALUES ('a', 'a7', 'failed', 0, 1000)");
  db.exec(
      "INSERT INTO jobs (endpoint, remote_id, state, submitter_uid, submitted_at, expires_at) "
      "VALUES ('b', 'b1', 'queued', 0, 1000, 1500)");
  transaction.commit();
}

}  // namespace

TEST_CASE("a version 4 database upgrades to version 5 with the expiry index of finished jobs") {
  ScratchDir dir;
  const auto path = dir.file("jobtrack.db");
  make_version_4(path);
  {
    SQLite::Database db(path, SQLite::OPEN_READONLY);
    REQUIRE(value(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'jobs_expiry'") == 1);
  }

  {
    Store store(path);
    CHECK(Store::schema_version() >= 5);
    // Only endpoint a has finished jobs that expire; b's expired job runs.
    CHECK(store.expiring_endpoints() == std::vector<std::string>{"a"});
    CHECK(store.expired_jobs("a", 10'000, 10).size() == 3);
    CHECK(store.expired_jobs("a", 2004, 10).size() == 2);
    CHECK(store.expired_jobs("b", 10'000, 10).empty());
    CHECK(store.next_expiry("a") == 2002);
    CHECK_FALSE(store.next_expiry("b"));
  }

  SQLite::Database db(path, SQLite::OPEN_READONLY);
  CHECK(value(db, "PRAGMA user_version") == Store::schema_version());
  CHECK(db.execAndGet("PRAGMA integrity_check").getString() == "ok");
  CHECK(value(db, "SELECT count(*) FROM jobs") == 8);
  CHECK(value(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'jobs_expiry'") == 0);
  CHECK(value(db,
              "SELECT count(*) FROM jobs INDEXED BY jobs_endpoint_expiry "
              "WHERE expires_at IS NOT NULL AND state NOT IN ('queued', 'running')") == 3);
  CHECK(value(db, "SELECT count(*) FROM jobs_expiring") == 7);
}

TEST_CASE("the sweeper's questions are answered from the expiry index of finished jobs") {
  ScratchDir dir;
  const auto path = dir.file("jobtrack.db");
  { Store store(path); }
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  const std::string finished = "expires_at IS NOT NULL AND state NOT IN ('queued', 'running')";
  CHECK_THAT(plan(db, "SELECT id FROM jobs WHERE endpoint = 'x' AND expires_at <= 5 AND " +
                          finished + " ORDER BY expires_at, id LIMIT 10"),
             Catch::Contains("jobs_endpoint_expiry"));
  CHECK_THAT(plan(db, "SELECT expires_at FROM jobs WHERE endpoint = 'x' AND " + finished +
                          " ORDER BY expires_at LIMIT 1"),
             Catch::Contains("jobs_endpoint_expiry"));
  CHECK_THAT(plan(db, "SELECT min(endpoint) FROM jobs WHERE endpoint > 'x' AND " + finished),
             Catch::Contains("jobs_endpoint_expiry"));
  // Without the state condition the index cannot answer: it lacks active jobs.
  CHECK_THAT(plan(db, "SELECT id FROM jobs WHERE endpoint = 'x' AND expires_at <= 5"),
             !Catch::Contains("jobs_endpoint_expiry"));
}
