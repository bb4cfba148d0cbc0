// Version 4 rewrites the state CHECK constraints of jobs and transitions
// from IN lists to chains of comparisons: the same values must be accepted
// and refused, a version 3 database with data must upgrade intact, and no
// nine-value IN list may be left in a table definition.
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

constexpr const char* kStates[] = {"queued",    "running", "succeeded", "partial",  "failed",
                                   "cancelled", "expired", "not_found", "timed_out"};

std::string table_sql(SQLite::Database& db, const std::string& table) {
  SQLite::Statement query(db, "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?");
  query.bind(1, table);
  REQUIRE(query.executeStep());
  return query.getColumn(0).getString();
}

bool accepted(SQLite::Database& db, const std::string& sql) {
  try {
    db.exec(sql);
    return true;
  } catch (const SQLite::Exception& e) {
    CHECK(std::string(e.what()).find("constraint failed") != std::string::npos);
    return false;
  }
}

// Up to version 3 through the same runner the daemon uses.
void make_version_3(const std::string& path) {
  SQLite::Database db = jobtrack::test::database_at_version(path, 3);
  SQLite::Transaction transaction(db);
  for (int i = 1; i <= 20; ++i) {
    db.exec(
        fmt::format("INSERT INTO jobs (endpoint, remote_id, state, submitter_uid, submitted_at) "
                    "VALUES ('prism', 'r{}', '{}', 0, {})",
                    i, kStates[i % 9], 1'700'000'000'000LL + i));
    db.exec(fmt::format(
        "INSERT INTO transitions (job_id, at, from_state, to_state) VALUES ({}, {}, NULL, '{}')", i,
        1'700'000'000'000LL + i, kStates[i % 9]));
  }
  transaction.commit();
}

}  // namespace

TEST_CASE("version 4 leaves no nine-value IN list in the jobs and transitions definitions") {
  ScratchDir dir;
  { Store store(dir.file("jobtrack.db")); }
  SQLite::Database db(dir.file("jobtrack.db"), SQLite::OPEN_READONLY);
  CHECK(db.execAndGet("PRAGMA user_version").getInt() >= 4);
  for (const char* table : {"jobs", "transitions"}) {
    INFO(table);
    const auto sql = table_sql(db, table);
    CHECK(sql.find("IN ('queued'") == std::string::npos);
    CHECK(sql.find("= 'timed_out'") != std::string::npos);
  }
}

TEST_CASE("the rewritten checks accept every state and refuse anything else") {
  ScratchDir dir;
  { Store store(dir.file("jobtrack.db")); }
  // A connection of its own: it parses the schema as stored in the file.
  SQLite::Database db(dir.file("jobtrack.db"), SQLite::OPEN_READWRITE);
  int id = 0;
  for (const char* state : kStates) {
    INFO(state);
    ++id;
    CHECK(accepted(db, fmt::format("INSERT INTO jobs (id, endpoint, remote_id, state, "
                                   "submitter_uid, submitted_at) VALUES ({0}, 'e', 'r{0}', '{1}', "
                                   "0, 1)",
                                   id, state)));
    CHECK(accepted(db, fmt::format("INSERT INTO transitions (job_id, at, from_state, to_state) "
                                   "VALUES ({}, 1, '{}', '{}')",
                                   id, state, state)));
  }
  CHECK(accepted(db,
                 "INSERT INTO transitions (job_id, at, from_state, to_state) "
                 "VALUES (1, 2, NULL, 'running')"));
  CHECK_FALSE(accepted(db,
                       "INSERT INTO jobs (endpoint, remote_id, state, submitter_uid, "
                       "submitted_at) VALUES ('e', 'bad', 'done', 0, 1)"));
  CHECK_FALSE(accepted(db,
                       "INSERT INTO jobs (endpoint, remote_id, state, submitter_uid, "
                       "submitted_at) VALUES ('e', 'case', 'Running', 0, 1)"));
  CHECK_FALSE(accepted(db, "UPDATE jobs SET state = 'queued ' WHERE id = 1"));
  CHECK_FALSE(accepted(db,
                       "INSERT INTO transitions (job_id, at, from_state, to_state) "
                       "VALUES (1, 3, 'paused', 'running')"));
  CHECK_FALSE(accepted(db,
                       "INSERT INTO transitions (job_id, at, from_state, to_state) "
                       "VALUES (1, 3, 'queued', 'done')"));
  CHECK_FALSE(accepted(db,
                       "INSERT INTO transitions (job_id, at, from_state, to_state) "
                       "VALUES (1, 3, 'queued', NULL)"));
}

TEST_CASE("a version 3 database with jobs upgrades to version 4 intact") {
  ScratchDir dir;
  const auto path = dir.file("jobtrack.db");
  make_version_3(path);
  { Store store(path); }
  SQLite::Database db(path, SQLite::OPEN_READWRITE);
  CHECK(db.execAndGet("PRAGMA user_version").getInt() == Store::schema_version());
  CHECK(db.execAndGet("PRAGMA integrity_check").getString() == "ok");
  CHECK(db.execAndGet("SELECT count(*) FROM jobs").getInt() == 20);
  CHECK(db.execAndGet("SELECT count(*) FROM transitions").getInt() == 20);
  CHECK(db.execAndGet("SELECT state FROM jobs WHERE remote_id = 'r5'").getString() == kStates[5]);
  CHECK(table_sql(db, "jobs").find("IN ('queued'") == std::string::npos);
  CHECK_FALSE(accepted(db, "UPDATE jobs SET state = 'done' WHERE remote_id = 'r1'"));
}
