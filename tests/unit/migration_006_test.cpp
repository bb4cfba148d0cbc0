// Version 6 counts jobs per endpoint and state in job_counts and drops the
// (endpoint, state) index: a version 5 database with jobs on two endpoints
// must upgrade intact with exact counts, and the new triggers must keep them
// exact for another writer afterwards.
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

std::int64_t counted(SQLite::Database& db, const std::string& endpoint, const std::string& state) {
  return value(db, fmt::format("SELECT coalesce(sum(jobs), 0) FROM job_counts "
                               "WHERE endpoint = '{}' AND state = '{}'",
                               endpoint, state));
}

// Endpoint a: three running jobs and two succeeded; endpoint b: one
// running, one failed. Counted by version 5's triggers, per state only.
void make_version_5(const std::string& path) {
  SQLite::Database db = jobtrack::test::database_at_version(path, 5);
  SQLite::Transaction transaction(db);
  const auto add = [&db](const char* endpoint, int i, const char* state) {
    db.exec(
        fmt::format("INSERT INTO jobs (endpoint, remote_id, state, submitter_uid, submitted_at) "
                    "VALUES ('{}', 'r{}', '{}', 0, 1000)",
                    endpoint, i, state));
  };
  for (int i = 1; i <= 3; ++i) add("a", i, "running");
  for (int i = 4; i <= 5; ++i) add("a", i, "succeeded");
  add("b", 1, "running");
  add("b", 2, "failed");
  transaction.commit();
}

}  // namespace

TEST_CASE("a version 5 database upgrades to version 6 with jobs counted per endpoint") {
  ScratchDir dir;
  const auto path = dir.file("jobtrack.db");
  make_version_5(path);
  {
    Store store(path);
    CHECK(Store::schema_version() >= 6);
    CHECK(store.count_jobs("a", false) == 5);
    CHECK(store.count_jobs("a", true) == 3);
    CHECK(store.count_jobs("b", false) == 2);
    CHECK(store.count_jobs("b", true) == 1);
    const auto counters = store.counters();
    CHECK(counters.jobs_total == 7);
    CHECK(counters.jobs_active == 4);
  }

  SQLite::Database db(path, SQLite::OPEN_READONLY);
  CHECK(value(db, "PRAGMA user_version") == Store::schema_version());
  CHECK(db.execAndGet("PRAGMA integrity_check").getString() == "ok");
  CHECK(value(db, "SELECT count(*) FROM jobs") == 7);
  CHECK(value(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'jobs_endpoint_state'") == 0);
  CHECK(value(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'jobs_state'") == 1);
  CHECK(counted(db, "a", "running") == 3);
  CHECK(counted(db, "a", "succeeded") == 2);
  CHECK(counted(db, "b", "running") == 1);
  CHECK(counted(db, "b", "failed") == 1);
}

TEST_CASE("version 6's triggers count another writer's inserts, moves and deletes per endpoint") {
  ScratchDir dir;
  const auto path = dir.file("jobtrack.db");
  { Store store(path); }
  SQLite::Database db(path, SQLite::OPEN_READWRITE);
  db.exec(
      "INSERT INTO jobs (endpoint, remote_id, state, submitter_uid, submitted_at) VALUES "
      "('a', 'r1', 'queued', 0, 1000), ('a', 'r2', 'queued', 0, 1000), "
      "('b', 'r1', 'queued', 0, 1000)");
  CHECK(counted(db, "a", "queued") == 2);
  CHECK(counted(db, "b", "queued") == 1);

  db.exec("UPDATE jobs SET state = 'running' WHERE endpoint = 'a' AND remote_id = 'r1'");
  CHECK(counted(db, "a", "queued") == 1);
  CHECK(counted(db, "a", "running") == 1);
  // Moving a job to another endpoint moves its count too.
  db.exec("UPDATE jobs SET endpoint = 'b' WHERE endpoint = 'a' AND remote_id = 'r2'");
  CHECK(counted(db, "a", "queued") == 0);
  CHECK(counted(db, "b", "queued") == 2);

  db.exec("DELETE FROM jobs WHERE endpoint = 'b'");
  CHECK(counted(db, "b", "queued") == 0);
  CHECK(counted(db, "a", "running") == 1);
}
