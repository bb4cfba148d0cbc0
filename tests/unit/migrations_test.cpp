#include "daemon/migrations.h"

#include <filesystem>
#include <fstream>

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>

#include "daemon/store.h"
#include "tests/unit/scratch_dir.h"

using jobtrack::EmbeddedFile;
using jobtrack::Migration;
using jobtrack::Store;
using jobtrack::StoreError;
using jobtrack::test::hash_file;
using jobtrack::test::ScratchDir;

namespace {

std::int64_t pragma(SQLite::Database& db, const std::string& name) {
  return db.execAndGet("PRAGMA " + name).getInt64();
}

// A database of the given identity, made without jobtrackd.
void make_database(const std::string& path, std::int64_t application_id,
                   std::int64_t user_version) {
  SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me')");
  db.exec("PRAGMA application_id = " + std::to_string(application_id));
  db.exec("PRAGMA user_version = " + std::to_string(user_version));
}

std::string refusal(const std::string& path) {
  try {
    Store store(path);
  } catch (const StoreError& e) {
    return e.what();
  }
  return "";
}

jobtrack::Job make_job(const std::string& remote_id) {
  jobtrack::Job job;
  job.endpoint = "e";
  job.remote_id = remote_id;
  return job;
}

}  // namespace

TEST_CASE("the build embeds schema/001_init.sql as migration 1 and schema_version is the newest") {
  const auto files = jobtrack::schema_migrations_all();
  REQUIRE_FALSE(files.empty());
  CHECK(files.front().name == "001_init.sql");
  CHECK(files.front().content.find("CREATE TABLE jobs") != std::string_view::npos);

  const auto& migrations = jobtrack::embedded_migrations();
  REQUIRE(migrations.size() == files.size());
  CHECK(migrations.front().version == 1);
  CHECK(Store::schema_version() == migrations.back().version);
  CHECK(Store::schema_version() == static_cast<int>(files.size()));
}

TEST_CASE("parse_migrations numbers files from their names and refuses gaps and bad names") {
  const std::array<EmbeddedFile, 2> good = {{{"001_init.sql", "A"}, {"002_more.sql", "B"}}};
  const auto migrations = jobtrack::parse_migrations(good);
  REQUIRE(migrations.size() == 2);
  CHECK(migrations[1].version == 2);
  CHECK(migrations[1].name == "002_more.sql");
  CHECK(migrations[1].sql == "B");
  CHECK(jobtrack::newest_version(migrations) == 2);
  CHECK(jobtrack::newest_version({}) == 0);

  const std::array<EmbeddedFile, 2> gap = {{{"001_init.sql", ""}, {"003_more.sql", ""}}};
  CHECK_THROWS_AS(jobtrack::parse_migrations(gap), StoreError);
  const std::array<EmbeddedFile, 1> unnumbered = {{{"init.sql", ""}}};
  CHECK_THROWS_AS(jobtrack::parse_migrations(unnumbered), StoreError);
  const std::array<EmbeddedFile, 1> not_first = {{{"002_init.sql", ""}}};
  CHECK_THROWS_AS(jobtrack::parse_migrations(not_first), StoreError);
}

TEST_CASE(
    "a fresh database gets user_version, application_id, WAL, incremental auto_vacuum and STRICT "
    "tables") {
  ScratchDir dir;
  const auto path = dir.file("jobs.db");
  { Store store(path); }
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  CHECK(pragma(db, "user_version") == Store::schema_version());
  CHECK(pragma(db, "application_id") == 0x4A6F6254);
  CHECK(db.execAndGet("PRAGMA journal_mode").getString() == "wal");
  CHECK(pragma(db, "auto_vacuum") == 2);
  for (const char* table : {"jobs", "transitions", "import_results", "polls"}) {
    INFO(table);
    SQLite::Statement strict(db, "SELECT strict FROM pragma_table_list WHERE name = ?");
    strict.bind(1, table);
    REQUIRE(strict.executeStep());
    CHECK(strict.getColumn(0).getInt() == 1);
  }
  for (const char* view : {"jobs_view", "transitions_view", "endpoint_stats"}) {
    INFO(view);
    CHECK(db.execAndGet(
                std::string("SELECT count(*) FROM sqlite_schema WHERE type = 'view' AND name = '") +
                view + "'")
              .getInt() == 1);
  }
}

TEST_CASE("deleting a job deletes its transitions, results and polls") {
  ScratchDir dir;
  const auto path = dir.file("jobs.db");
  Store store(path);
  jobtrack::Transition first;
  const auto id = store.insert_job(make_job("1"), first);
  store.replace_results(id, {jobtrack::RowResult{}});
  jobtrack::PollRecord poll;
  poll.job_id = id;
  poll.endpoint = "prism";
  poll.outcome = "ok";
  store.insert_poll(poll);
  REQUIRE(store.delete_job(id));
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  CHECK(db.execAndGet("SELECT count(*) FROM transitions").getInt() == 0);
  CHECK(db.execAndGet("SELECT count(*) FROM import_results").getInt() == 0);
  CHECK(db.execAndGet("SELECT count(*) FROM polls").getInt() == 0);
}

TEST_CASE("a database of a newer schema version is refused and left byte for byte as it was") {
  ScratchDir dir;
  const auto path = dir.file("jobs.db");
  make_database(path, jobtrack::kApplicationId, 7);
  const auto before = hash_file(path);

  const auto message = refusal(path);
  CHECK_THAT(message,
             Catch::Contains("database schema version 7 is newer than this jobtrackd supports (" +
                             std::to_string(Store::schema_version()) +
                             "); upgrade jobtrackd or use another database"));
  CHECK_THAT(message, Catch::Contains(path));
  CHECK(hash_file(path) == before);
  CHECK_FALSE(std::filesystem::exists(path + "-wal"));
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  CHECK(db.execAndGet("PRAGMA journal_mode").getString() == "delete");
}

TEST_CASE("a database of another application is refused and left unchanged") {
  ScratchDir dir;
  const auto path = dir.file("other.db");
  make_database(path, 0x12345678, 1);
  const auto before = hash_file(path);
  CHECK_THAT(refusal(path), Catch::Contains("not a jobtrack database"));
  CHECK(hash_file(path) == before);
  CHECK_FALSE(std::filesystem::exists(path + "-wal"));
}

TEST_CASE("a database with tables but no application_id is refused and left unchanged") {
  ScratchDir dir;
  const auto path = dir.file("plain.db");
  make_database(path, 0, 0);
  const auto before = hash_file(path);
  CHECK_THAT(refusal(path), Catch::Contains("not a jobtrack database"));
  CHECK(hash_file(path) == before);
}

TEST_CASE("a file that is not SQLite is refused and left unchanged") {
  ScratchDir dir;
  const auto path = dir.file("notes.txt");
  {
    std::ofstream out(path);
    for (int i = 0; i < 100; ++i) out << "this is not a database, line " << i << '\n';
  }
  const auto before = hash_file(path);
  CHECK_THAT(refusal(path), Catch::Contains(path));
  CHECK(hash_file(path) == before);
}

TEST_CASE("reopening a current database keeps its data and migrates nothing") {
  ScratchDir dir;
  const auto path = dir.file("jobs.db");
  {
    Store store(path);
    store.insert_job(make_job("1"), {});
  }
  {
    Store store(path);
    CHECK(store.find("e", "1"));
    store.insert_job(make_job("2"), {});
  }
  Store store(path);
  CHECK(store.counters().jobs_total == 2);

  SQLite::Database db(path, SQLite::OPEN_READWRITE);
  CHECK(jobtrack::check_database(db, Store::schema_version()).user_version ==
        Store::schema_version());
  CHECK_FALSE(jobtrack::check_database(db, Store::schema_version()).fresh);
  CHECK(jobtrack::apply_migrations(db, jobtrack::embedded_migrations()) == 0);
  CHECK(pragma(db, "user_version") == Store::schema_version());
}

TEST_CASE("pending migrations run in order in one transaction") {
  ScratchDir dir;
  const auto path = dir.file("jobs.db");
  const auto& embedded = jobtrack::embedded_migrations();
  REQUIRE(!embedded.empty());  // the cases below add a migration of their own after these
  std::vector<Migration> migrations = embedded;
  const int built_in = static_cast<int>(embedded.size());
  const int next = built_in + 1;

  SECTION("a later migration upgrades a version 1 database") {
    { Store store(path); }
    migrations.push_back({next, "999_extra.sql", "CREATE TABLE extra (x INTEGER) STRICT;"});
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    CHECK(jobtrack::check_database(db, next).user_version == built_in);
    CHECK(jobtrack::apply_migrations(db, migrations) == 1);
    CHECK(pragma(db, "user_version") == next);
    CHECK(db.tableExists("extra"));
  }
  SECTION("a failing migration leaves the previous version intact") {
    { Store store(path); }
    migrations.push_back(
        {next, "999_broken.sql",
         "CREATE TABLE extra (x INTEGER) STRICT; INSERT INTO no_such_table VALUES (1);"});
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    try {
      jobtrack::apply_migrations(db, migrations);
      FAIL("the broken migration was applied");
    } catch (const StoreError& e) {
      CHECK_THAT(e.what(), Catch::Contains("999_broken.sql"));
    }
    CHECK(pragma(db, "user_version") == built_in);
    CHECK_FALSE(db.tableExists("extra"));
  }
  SECTION("a fresh file gets every migration at once, or none of them") {
    migrations.push_back({next, "999_broken.sql", "SELECT * FROM no_such_table;"});
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    CHECK(jobtrack::check_database(db, next).fresh);
    CHECK_THROWS_AS(jobtrack::apply_migrations(db, migrations), StoreError);
    CHECK(pragma(db, "user_version") == 0);
    CHECK(pragma(db, "application_id") == 0);
    CHECK_FALSE(db.tableExists("jobs"));
  }
}

TEST_CASE("the views render times as ISO 8601 and summarise each endpoint") {
  ScratchDir dir;
  const auto path = dir.file("jobs.db");
  {
    Store store(path);
    auto add = [&](const std::string& endpoint, const std::string& remote_id, jobtrack::State state,
                   std::optional<jobtrack::Millis> finished_at) {
      auto job = make_job(remote_id);
      job.endpoint = endpoint;
      job.state = state;
      job.submitted_at = 1'577'470'279'117;
      job.finished_at = finished_at;
      jobtrack::Transition first;
      first.at = 1'577'470'279'117;
      return store.insert_job(job, first);
    };
    add("a", "1", jobtrack::State::succeeded, 1'577'470'281'117);  // 2 s
    add("a", "2", jobtrack::State::failed, 1'577'470'289'117);     // 10 s
    add("a", "3", jobtrack::State::succeeded, 1'577'470'283'117);  // 4 s
    add("a", "4", jobtrack::State::running, std::nullopt);
    add("b", "5", jobtrack::State::queued, std::nullopt);
  }
  SQLite::Database db(path, SQLite::OPEN_READONLY);

  SQLite::Statement job(
      db, "SELECT submitted, finished, duration_s, age_s > 0 FROM jobs_view WHERE remote_id = '1'");
  REQUIRE(job.executeStep());
  CHECK(job.getColumn(0).getString() == "2019-12-27T18:11:19.117Z");
  CHECK(job.getColumn(1).getString() == "2019-12-27T18:11:21.117Z");
  CHECK(job.getColumn(2).getDouble() == Approx(2.0));
  CHECK(job.getColumn(3).getInt() == 1);

  SQLite::Statement transition(
      db, "SELECT endpoint, remote_id, at, to_state FROM transitions_view WHERE remote_id = '2'");
  REQUIRE(transition.executeStep());
  CHECK(transition.getColumn(0).getString() == "a");
  CHECK(transition.getColumn(2).getString() == "2019-12-27T18:11:19.117Z");
  CHECK(transition.getColumn(3).getString() == "queued");

  SQLite::Statement stats(
      db,
      "SELECT jobs, succeeded, failed, running, active, failure_rate, median_finish_s "
      "FROM endpoint_stats WHERE endpoint = 'a'");
  REQUIRE(stats.executeStep());
  CHECK(stats.getColumn(0).getInt() == 4);
  CHECK(stats.getColumn(1).getInt() == 2);
  CHECK(stats.getColumn(2).getInt() == 1);
  CHECK(stats.getColumn(3).getInt() == 1);
  CHECK(stats.getColumn(4).getInt() == 1);
  CHECK(stats.getColumn(5).getDouble() == Approx(1.0 / 3.0).epsilon(0.001));
  CHECK(stats.getColumn(6).getDouble() == Approx(4.0));

  SQLite::Statement idle(
      db,
      "SELECT active, failure_rate IS NULL, median_finish_s IS NULL FROM endpoint_stats "
      "WHERE endpoint = 'b'");
  REQUIRE(idle.executeStep());
  CHECK(idle.getColumn(0).getInt() == 1);
  CHECK(idle.getColumn(1).getInt() == 1);
  CHECK(idle.getColumn(2).getInt() == 1);
}
