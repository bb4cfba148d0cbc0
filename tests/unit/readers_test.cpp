// Outside readers (sqlite3 -readonly, file:...?mode=ro) beside the Store:
// they never block its writes and never see half of a batch.
#include <filesystem>

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <sqlite3.h>

#include "daemon/store.h"
#include "tests/unit/sample_jobs.h"
#include "tests/unit/scratch_dir.h"

using jobtrack::Job;
using jobtrack::RowResult;
using jobtrack::State;
using jobtrack::Store;
using jobtrack::Transition;
using jobtrack::test::ScratchDir;

namespace {

std::int64_t value(SQLite::Database& db, const std::string& sql) {
  return db.execAndGet(sql).getInt64();
}

// Jobs whose state and its evidence disagree: terminal without a transition
// to that state or without its result rows, or the reverse.
std::int64_t torn_jobs(SQLite::Database& db) {
  return value(
      db,
      "SELECT count(*) FROM jobs AS j WHERE "
      "(state = 'succeeded') <> EXISTS (SELECT 1 FROM transitions AS t WHERE t.job_id = j.id "
      "AND t.to_state = 'succeeded') "
      "OR results_stored <> (SELECT count(*) FROM import_results AS r WHERE r.job_id = j.id) "
      "OR (state = 'succeeded') <> (results_stored = 100)");
}

std::int64_t wal_bytes(const std::string& path) {
  std::error_code error;
  const auto size = std::filesystem::file_size(path + "-wal", error);
  return error ? 0 : static_cast<std::int64_t>(size);
}

// One poll's outcome as the scheduler records it: job row, transition and
// results in the store's batch, committed together.
void finish(Store& store, std::int64_t id, jobtrack::Millis at) {
  auto job = store.get(id);
  REQUIRE(job);
  store.begin_batch();
  Transition done;
  done.at = at;
  done.from = job->state;
  done.to = State::succeeded;
  job->state = State::succeeded;
  job->finished_at = at;
  job->next_poll_at.reset();
  store.update_job(*job);
  store.insert_transition(id, done);
  std::vector<RowResult> rows(100);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    rows[i].row = static_cast<std::int64_t>(i);
    rows[i].record_id = fmt::format("rec-{}-with-some-padding-to-fill-pages", i);
  }
  store.replace_results(id, rows);
  store.commit_batch();
}

}  // namespace

TEST_CASE("read-only connections holding a snapshot never block writes or see half a batch") {
  ScratchDir dir;
  const auto path = dir.file("jobtrack.db");
  Store store(path);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 400; ++i) {
    jobtrack::test::SampleJob sample;
    sample.remote_id = fmt::format("{}", i);
    sample.submitted_at = 1'700'000'000'000;
    ids.push_back(jobtrack::test::add_job(store, sample));
  }

  // As `sqlite3 -readonly` opens it, and as a URI with mode=ro.
  SQLite::Database flags(path, SQLite::OPEN_READONLY);
  SQLite::Database uri("file:" + path + "?mode=ro", SQLite::OPEN_READONLY | SQLite::OPEN_URI);
  for (SQLite::Database* reader : {&flags, &uri}) CHECK_THROWS(reader->exec("DELETE FROM polls"));

  // The first reader holds one read transaction throughout.
  flags.exec("BEGIN");
  const auto snapshot_terminal =
      value(flags, "SELECT count(*) FROM jobs WHERE state = 'succeeded'");
  CHECK(snapshot_terminal == 0);

  for (std::size_t i = 0; i < ids.size(); ++i) {
    finish(store, ids[i], 1'700'000'100'000 + static_cast<jobtrack::Millis>(i));
    if (i % 20 == 0) {
      // The held snapshot stays as it was; a fresh one sees whole batches only.
      CHECK(value(flags, "SELECT count(*) FROM jobs WHERE state = 'succeeded'") ==
            snapshot_terminal);
      CHECK(torn_jobs(flags) == 0);
      CHECK(value(uri, "SELECT count(*) FROM jobs WHERE state = 'succeeded'") ==
            static_cast<std::int64_t>(i + 1));
      CHECK(torn_jobs(uri) == 0);
    }
  }
  // The held snapshot kept the WAL from restarting, so it grew.
  const auto held = wal_bytes(path);
  CHECK(held > Store::kJournalSizeLimit);
  CHECK_FALSE(store.checkpoint_passive().complete());

  flags.exec("COMMIT");
  CHECK(value(flags, "SELECT count(*) FROM jobs WHERE state = 'succeeded'") == 400);

  // With the reader gone a PASSIVE checkpoint completes, and the next
  // commit restarts the WAL and cuts it down to the journal size limit.
  CHECK(store.checkpoint_passive().complete());
  jobtrack::PollRecord poll;
  poll.job_id = ids.front();
  poll.endpoint = "prism";
  poll.outcome = "ok";
  store.insert_poll(poll);
  const auto after = wal_bytes(path);
  INFO("WAL bytes while held " << held << ", after " << after);
  CHECK(after <= Store::kJournalSizeLimit);
  CHECK(after < held);
}
